import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkListenPolicy, isLoopback } from '../src/auth/listen-policy.ts';

test('listen policy: loopback without a token file is the dev default', () => {
  assert.deepEqual(checkListenPolicy({ address: '127.0.0.1', insecureAllowAnonymous: false }), { ok: true });
  assert.deepEqual(checkListenPolicy({ address: '::1', insecureAllowAnonymous: false }), { ok: true });
  assert.deepEqual(checkListenPolicy({ address: 'localhost', insecureAllowAnonymous: false }), { ok: true });
});

test('listen policy: every interface without a token file is refused and the message names the ways out', () => {
  for (const address of ['0.0.0.0', '::', '', '10.1.2.3', 'example.com']) {
    const p = checkListenPolicy({ address, insecureAllowAnonymous: false });
    assert.equal(p.ok, false, address);
    if (!p.ok) assert.match(p.message, /--token-auth-file.*127\.0\.0\.1.*--insecure-allow-anonymous/);
  }
});

test('listen policy: --insecure-allow-anonymous lets it listen with a loud warning', () => {
  const p = checkListenPolicy({ address: '0.0.0.0', insecureAllowAnonymous: true });
  assert.equal(p.ok, true);
  assert.match((p as { warn?: string }).warn ?? '', /^INSECURE: .*full control/);
});

test('listen policy: a token file makes any address acceptable', () => {
  assert.deepEqual(checkListenPolicy({ address: '0.0.0.0', tokenFile: '/etc/tokens.csv', insecureAllowAnonymous: false }), { ok: true });
});

test('listen policy: tokens over plain HTTP on the network earn a warning', () => {
  const p = checkListenPolicy({ address: '0.0.0.0', tokenFile: 't.csv', insecureAllowAnonymous: false, tls: false });
  assert.equal(p.ok, true);
  assert.match((p as { warn?: string }).warn ?? '', /plain HTTP/);
});

const loopbacks: [string, boolean][] = [
  ['127.0.0.1', true], ['127.8.9.10', true], ['::1', true], ['[::1]', true], ['0:0:0:0:0:0:0:1', true],
  ['::ffff:127.0.0.1', true], ['LOCALHOST', true], ['0.0.0.0', false], ['::', false], ['192.168.1.1', false],
  ['::ffff:10.0.0.1', false], ['localhost.example.com', false],
];
for (const [address, expected] of loopbacks) {
  test(`isLoopback: ${address} is ${expected ? '' : 'not '}loopback`, () => assert.equal(isLoopback(address), expected));
}
