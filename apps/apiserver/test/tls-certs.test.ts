import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { execFileSync } from 'node:child_process';
import { loadKubeconfig } from '@podling/client';
import { makeTempDir } from '@podling/testkit';
import { generateCerts } from '../src/auth/certs.ts';
import { runGenerateCerts } from '../src/auth/generate-certs.ts';
import { loadTokenFile } from '../src/auth/token-file.ts';

const read = (dir: string, f: string) => readFileSync(path.join(dir, f), 'utf8');

test('generateCerts: the serving certificate chains to the CA and names every host as a SAN', async () => {
  const tmp = makeTempDir();
  try {
    const dir = path.join(tmp.dir, 'pki');
    await generateCerts({ dir, hosts: ['10.0.0.7', 'podling.example'], nodes: ['n1'], server: 'https://api.internal:6443' });
    const ca = new X509Certificate(read(dir, 'ca.crt'));
    const server = new X509Certificate(read(dir, 'apiserver.crt'));
    assert.equal(ca.ca, true);
    assert.equal(ca.verify(ca.publicKey), true, 'the CA is self-signed');
    assert.equal(server.ca, false);
    assert.equal(server.verify(ca.publicKey), true, 'the server certificate is signed by the CA');
    assert.equal(server.checkIssued(ca), true);
    const sans = server.subjectAltName!.split(', ');
    for (const san of ['IP Address:127.0.0.1', 'DNS:localhost', 'IP Address:10.0.0.7', 'DNS:podling.example', 'DNS:api.internal']) {
      assert.ok(sans.includes(san), `${san} in ${server.subjectAltName}`);
    }
    assert.ok(server.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), 'extended key usage serverAuth');
    assert.ok(new Date(server.validFrom) <= new Date() && new Date(server.validTo) > new Date(Date.now() + 300 * 86400_000));
    // The key file belongs to the certificate.
    const key = createPrivateKey(read(dir, 'apiserver.key'));
    assert.equal(createPublicKey(key).export({ type: 'spki', format: 'pem' }), server.publicKey.export({ type: 'spki', format: 'pem' }));
  } finally { tmp.remove(); }
});

test('generateCerts: tokens.csv holds an admin in system:masters and one system:nodes user per node', async () => {
  const tmp = makeTempDir();
  try {
    const result = await generateCerts({ dir: tmp.dir, hosts: [], nodes: ['n1', 'n2'], server: 'https://127.0.0.1:6443' });
    const tokens = loadTokenFile(path.join(tmp.dir, 'tokens.csv'));
    assert.equal(tokens.size, 3);
    assert.deepEqual(tokens.get(result.adminToken)?.groups, ['system:masters', 'system:authenticated']);
    assert.equal(tokens.get(result.nodeTokens.n2)?.name, 'system:node:n2');
    assert.deepEqual(tokens.get(result.nodeTokens.n2)?.groups, ['system:nodes', 'system:authenticated']);
    assert.equal(new Set([result.adminToken, result.nodeTokens.n1, result.nodeTokens.n2]).size, 3, 'tokens are distinct');
  } finally { tmp.remove(); }
});

test('generateCerts: each kubeconfig names the server, embeds the CA and carries its own token', async () => {
  const tmp = makeTempDir();
  try {
    const server = 'https://127.0.0.1:16443';
    const result = await generateCerts({ dir: tmp.dir, hosts: [], nodes: ['n1'], server });
    for (const [file, user, token] of [['admin.kubeconfig', 'admin', result.adminToken], ['node-n1.kubeconfig', 'system:node:n1', result.nodeTokens.n1]]) {
      const cfg = parse(read(tmp.dir, file));
      assert.equal(cfg.kind, 'Config');
      const cluster = cfg.clusters[0].cluster;
      assert.equal(cluster.server, server);
      assert.equal(Buffer.from(cluster['certificate-authority-data'], 'base64').toString(), read(tmp.dir, 'ca.crt'));
      assert.deepEqual(cfg.users, [{ name: user, user: { token } }]);
      assert.equal(cfg['current-context'], cfg.contexts[0].name);
    }
  } finally { tmp.remove(); }
});

test('issue 16: generateCerts for several apiservers names each in the certificate and lists all in every kubeconfig', async () => {
  const tmp = makeTempDir();
  try {
    await generateCerts({ dir: tmp.dir, hosts: [], nodes: ['n1'], server: 'https://10.0.0.11:6443,https://api-2.internal:6443' });
    const sans = new X509Certificate(read(tmp.dir, 'apiserver.crt')).subjectAltName!.split(', ');
    for (const san of ['IP Address:10.0.0.11', 'DNS:api-2.internal']) assert.ok(sans.includes(san), `${san} in ${sans}`);
    for (const file of ['admin.kubeconfig', 'node-n1.kubeconfig']) {
      const f = path.join(tmp.dir, file);
      // kubectl takes one server (the first) and keeps the extension; Podling's clients take the whole list.
      const kubectlServer = execFileSync('kubectl', ['config', 'view', '--kubeconfig', f, '-o', 'jsonpath={.clusters[0].cluster.server}'], { encoding: 'utf8' });
      assert.equal(kubectlServer, 'https://10.0.0.11:6443');
      assert.equal(loadKubeconfig(f).server, 'https://10.0.0.11:6443,https://api-2.internal:6443');
    }
  } finally { tmp.remove(); }
});

test('generateCerts: keys, tokens and kubeconfigs are readable by the owner only', async () => {
  const tmp = makeTempDir();
  try {
    await generateCerts({ dir: tmp.dir, hosts: [], nodes: ['n1'], server: 'https://127.0.0.1:6443' });
    for (const f of ['ca.key', 'apiserver.key', 'tokens.csv', 'admin.kubeconfig', 'node-n1.kubeconfig']) {
      assert.equal(statSync(path.join(tmp.dir, f)).mode & 0o777, 0o600, f);
    }
  } finally { tmp.remove(); }
});

test('generateCerts: existing credentials are never overwritten', async () => {
  const tmp = makeTempDir();
  try {
    writeFileSync(path.join(tmp.dir, 'tokens.csv'), 'keep,me,1\n');
    await assert.rejects(generateCerts({ dir: tmp.dir, hosts: [], nodes: [], server: 'https://127.0.0.1:6443' }), /refusing to overwrite.*tokens\.csv/);
    assert.equal(read(tmp.dir, 'tokens.csv'), 'keep,me,1\n');
  } finally { tmp.remove(); }
});

test('runGenerateCerts: bad arguments exit 2 and report every problem at once', async () => {
  const err: string[] = [];
  const code = await runGenerateCerts(['--generate-certs', '/tmp/x', '--server', 'http://h:1', '--nodes', 'N_1,ok'],
    { out: () => {}, err: (l) => err.push(l) });
  assert.equal(code, 2);
  assert.equal(err.length, 2, err.join('\n'));
  assert.match(err[0], /https:\/\/ URL/);
  assert.match(err[1], /"N_1" is not a lowercase DNS subdomain/);
});

test('runGenerateCerts: writes the files and prints how to start the server with them', async () => {
  const tmp = makeTempDir();
  try {
    const out: string[] = [];
    const code = await runGenerateCerts(['--generate-certs', tmp.dir, '--hosts', '10.0.0.9', '--nodes', 'a,b', '--server', 'https://10.0.0.9:7443'],
      { out: (l) => out.push(l), err: (l) => assert.fail(l) });
    assert.equal(code, 0);
    assert.match(out.join('\n'), /--port 7443 --tls-cert-file \S+apiserver\.crt --tls-private-key-file \S+apiserver\.key --token-auth-file \S+tokens\.csv/);
    assert.ok(statSync(path.join(tmp.dir, 'node-b.kubeconfig')).isFile());
  } finally { tmp.remove(); }
});
