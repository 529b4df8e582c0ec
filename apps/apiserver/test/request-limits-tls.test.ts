// Issue 14.10 over HTTPS: a TLS handshake is a request phase too. A connection that never starts its handshake,
// or finishes it and then sends no headers, is closed after --request-header-timeout (Node's own handshake
// timeout is 120 s, and would let slow clients hold descriptors as before).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { makeTempDir, startApiserver, waitFor, type RunningApiserver } from '@podling/testkit';
import { generateCerts } from '../src/auth/certs.ts';

const tmp = makeTempDir('podling-limits-tls-');
let srv: RunningApiserver;

before(async () => {
  await generateCerts({ dir: tmp.dir, hosts: [], nodes: [], server: 'https://127.0.0.1:6443' });
  srv = await startApiserver({
    dbPath: path.join(tmp.dir, 'podling.db'),
    args: ['--controllers', 'none', '--token-auth-file', path.join(tmp.dir, 'tokens.csv'),
      '--tls-cert-file', path.join(tmp.dir, 'apiserver.crt'), '--tls-private-key-file', path.join(tmp.dir, 'apiserver.key'),
      '--request-header-timeout', '1s'],
  });
});
after(async () => {
  await srv?.stop();
  tmp.remove();
});

test('issue 14.10: over HTTPS, a connection that never starts its TLS handshake is closed after --request-header-timeout', async () => {
  const t0 = Date.now();
  const socket = net.connect({ host: '127.0.0.1', port: srv.port });
  socket.on('error', () => {});
  let closed = false;
  socket.once('close', () => { closed = true; });
  try {
    await waitFor(() => closed, { timeoutMs: 5000, message: 'the server closes a connection without a handshake' });
  } finally { socket.destroy(); }
  assert.ok(Date.now() - t0 >= 900, 'not before the timeout');
});

test('issue 14.10: over HTTPS, a handshake followed by silence is answered 408 and closed after --request-header-timeout', async () => {
  const socket = tls.connect({ host: '127.0.0.1', port: srv.port, ca: readFileSync(path.join(tmp.dir, 'ca.crt')) });
  socket.on('error', () => {});
  let answer = '';
  let closed = false;
  socket.on('data', (b) => { answer += b; });
  socket.once('close', () => { closed = true; });
  try {
    await waitFor(() => closed, { timeoutMs: 5000, message: 'the server closes a silent TLS connection' });
  } finally { socket.destroy(); }
  assert.match(answer, /^HTTP\/1\.1 408 /);
});
