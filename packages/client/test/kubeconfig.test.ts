import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '@podling/testkit';
import { buildKubeconfig, loadKubeconfig } from '../src/index.ts';

const caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

test('buildKubeconfig output loads back to the same ClientOptions', () => {
  const tmp = makeTempDir();
  try {
    const file = path.join(tmp.dir, 'config');
    writeFileSync(file, buildKubeconfig({ server: 'https://127.0.0.1:6443', caPem, token: 't0k', user: 'admin', namespace: 'dev' }));
    assert.deepEqual(loadKubeconfig(file), { server: 'https://127.0.0.1:6443', ca: caPem, token: 't0k', namespace: 'dev' });
  } finally { tmp.remove(); }
});

test('loadKubeconfig resolves certificate-authority and tokenFile relative to the kubeconfig, and honours a named context', () => {
  const tmp = makeTempDir();
  try {
    mkdirSync(path.join(tmp.dir, 'pki'));
    writeFileSync(path.join(tmp.dir, 'pki', 'ca.crt'), caPem);
    writeFileSync(path.join(tmp.dir, 'token'), 'from-file\n');
    const file = path.join(tmp.dir, 'config');
    writeFileSync(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: a',
      'clusters:',
      '- name: c1', '  cluster: {server: "https://one:6443", certificate-authority: pki/ca.crt}',
      '- name: c2', '  cluster: {server: "https://two:6443", insecure-skip-tls-verify: true}',
      'users:', '- name: u1', '  user: {tokenFile: token}', '- name: u2', '  user: {token: inline}',
      'contexts:', '- name: a', '  context: {cluster: c1, user: u1}', '- name: b', '  context: {cluster: c2, user: u2}',
    ].join('\n'));
    assert.deepEqual(loadKubeconfig(file), { server: 'https://one:6443', ca: caPem, token: 'from-file' });
    assert.deepEqual(loadKubeconfig(file, 'b'), { server: 'https://two:6443', insecureSkipTLSVerify: true, token: 'inline' });
    assert.throws(() => loadKubeconfig(file, 'nope'), /context "nope" not found/);
  } finally { tmp.remove(); }
});
