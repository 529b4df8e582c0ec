// registerAuth on a real HTTPS listener with generated credentials: the client trusts only the generated CA, so
// this also checks that the serving certificate is usable for https://127.0.0.1 and https://localhost.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import fastify, { type FastifyInstance } from 'fastify';
import { makeTempDir } from '@podling/testkit';
import { generateCerts, type GeneratedCerts } from '../src/auth/certs.ts';
import { registerAuth } from '../src/auth/auth-hook.ts';
import { loadTokenFile } from '../src/auth/token-file.ts';

const tmp = makeTempDir();
let app: FastifyInstance;
let creds: GeneratedCerts;
let ca: string;
let port: number;

before(async () => {
  creds = await generateCerts({ dir: tmp.dir, hosts: [], nodes: ['n1', 'n2'], server: 'https://127.0.0.1:6443' });
  ca = readFileSync(path.join(tmp.dir, 'ca.crt'), 'utf8');
  app = fastify({
    https: { key: readFileSync(path.join(tmp.dir, 'apiserver.key')), cert: readFileSync(path.join(tmp.dir, 'apiserver.crt')) },
  });
  registerAuth(app, { tokens: loadTokenFile(path.join(tmp.dir, 'tokens.csv')), anonymous: false });
  app.get('/version', async () => ({ major: '1', minor: '32' }));
  app.get('/api/v1/namespaces/:ns/pods', async (req) => ({ kind: 'PodList', user: req.user.name }));
  app.patch('/api/v1/namespaces/:ns/pods/:name/status', async (req) => ({ kind: 'Pod', patchedBy: req.user.name }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});

after(async () => {
  await app?.close();
  tmp.remove();
});

interface Res { status: number; type: string; body: Record<string, unknown> }

function call(method: string, urlPath: string, opts: { token?: string; body?: unknown; host?: string } = {}): Promise<Res> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: opts.host ?? '127.0.0.1', port, method, path: urlPath, ca,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(payload ? { 'content-type': 'application/json' } : {}),
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

test('https auth: a request without a token gets the 401 Status kubectl recognises', async () => {
  const res = await call('GET', '/api/v1/namespaces/default/pods');
  assert.equal(res.status, 401);
  assert.match(res.type, /^application\/json/);
  assert.deepEqual(res.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
});

test('https auth: an unknown token gets 401', async () => {
  assert.equal((await call('GET', '/api/v1/namespaces/default/pods', { token: 'not-a-token' })).status, 401);
});

test('https auth: /version answers without a token and with a stale one', async () => {
  assert.equal((await call('GET', '/version')).status, 200);
  assert.equal((await call('GET', '/version', { token: 'stale' })).status, 200);
});

test('https auth: the admin token lists pods, also via https://localhost', async () => {
  const res = await call('GET', '/api/v1/namespaces/default/pods', { token: creds.adminToken, host: 'localhost' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { kind: 'PodList', user: 'admin' });
});

test('https auth: a node passes authorization to patch pod status (admission then checks the binding)', async () => {
  const res = await call('PATCH', '/api/v1/namespaces/default/pods/on-n1/status', { token: creds.nodeTokens.n1, body: { status: {} } });
  assert.equal(res.status, 200);
  assert.equal(res.body.patchedBy, 'system:node:n1');
});

test('https auth: a node may not create a namespace', async () => {
  const res = await call('POST', '/api/v1/namespaces', { token: creds.nodeTokens.n1, body: { metadata: { name: 'x' } } });
  assert.equal(res.status, 403);
  assert.equal(res.body.reason, 'Forbidden');
  assert.equal(res.body.message, 'namespaces is forbidden: User "system:node:n1" cannot create resource "namespaces" in API group "" at the cluster scope');
});
