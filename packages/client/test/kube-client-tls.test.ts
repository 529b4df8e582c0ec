// HTTPS: the client verifies the server against the configured CA (or skips verification when told to), with a
// per-client undici Agent. The self-signed certificate comes from the openssl CLI; without it the test is skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { isStatusError } from '@podling/api';
import { makeTempDir } from '@podling/testkit';
import { KubeClient } from '../src/index.ts';

function selfSigned(dir: string): { key: string; cert: string } | undefined {
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=podling-test',
      '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  } catch { return undefined; }
  return { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
}

test('https: verifies against the CA, or skips verification when asked; sends the bearer token', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const pair = selfSigned(tmp.dir);
  if (!pair) return t.skip('openssl not available');
  const seen: (string | undefined)[] = [];
  const server = https.createServer(pair, (req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => { server.closeAllConnections(); server.close(); });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ref = { resource: 'nodes' };

  const withCa = new KubeClient({ server: url, ca: pair.cert, token: 'tls-token' });
  assert.equal((await withCa.get(ref, 'n1')).metadata.name, 'n1');
  assert.deepEqual(seen, ['Bearer tls-token']);

  const insecure = new KubeClient({ server: url, insecureSkipTLSVerify: true });
  assert.equal((await insecure.get(ref, 'n1')).metadata.name, 'n1');

  const untrusted = await new KubeClient({ server: url }).get(ref, 'n1').catch((e: unknown) => e);
  assert.ok(untrusted instanceof Error && !isStatusError(untrusted), 'an unknown CA is a transport error');
  await Promise.all([withCa.close(), insecure.close()]);
});
