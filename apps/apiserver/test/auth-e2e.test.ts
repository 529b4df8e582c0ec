// Issue 7: a secured apiserver, end to end. `podling-apiserver --generate-certs` writes the credentials, the
// apiserver serves HTTPS with them and a token file, and the real kubectl uses the generated admin kubeconfig.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { makeTempDir, repoRoot, startKubelet, startTs, waitFor, type ManagedProcess, type RunningKubelet } from '@podling/testkit';
import { loadTokenFile } from '../src/auth/token-file.ts';
import { requireKubectl } from './kubectl-cli.ts';

const run = promisify(execFile);
const tmp = makeTempDir('podling-auth-e2e-');
const pki = path.join(tmp.dir, 'pki');
const home = path.join(tmp.dir, 'home');
let apiserver: ManagedProcess | undefined;
let kubelet: RunningKubelet | undefined;
let url = '';
let ca = '';
const token: Record<'admin' | 'n1' | 'n2' | 'reader', string> = { admin: '', n1: '', n2: '', reader: 'reader-token-5b7d0c1e9a' };

before(async () => {
  requireKubectl();
  mkdirSync(home);
  await run(process.execPath, ['--import', 'tsx', 'apps/apiserver/src/main.ts',
    '--generate-certs', pki, '--nodes', 'n1,n2', '--server', 'https://127.0.0.1:6443'], { cwd: repoRoot });
  ca = readFileSync(path.join(pki, 'ca.crt'), 'utf8');
  // A read-only user (any authenticated user outside system:masters and system:nodes).
  writeFileSync(path.join(pki, 'tokens.csv'), `${readFileSync(path.join(pki, 'tokens.csv'), 'utf8')}${token.reader},jane,jane-uid\n`);
  for (const [t, user] of loadTokenFile(path.join(pki, 'tokens.csv'))) {
    if (user.name === 'admin') token.admin = t;
    if (user.name === 'system:node:n1') token.n1 = t;
    if (user.name === 'system:node:n2') token.n2 = t;
  }
  apiserver = startTs('apps/apiserver/src/main.ts', {
    args: ['--port', '0', '--db', path.join(tmp.dir, 'podling.db'), '--controllers', 'none',
      '--tls-cert-file', path.join(pki, 'apiserver.crt'), '--tls-private-key-file', path.join(pki, 'apiserver.key'),
      '--token-auth-file', path.join(pki, 'tokens.csv'),
      '--kubelet-client-certificate', path.join(pki, 'apiserver-kubelet-client.crt'),
      '--kubelet-client-key', path.join(pki, 'apiserver-kubelet-client.key'), '--kubelet-certificate-authority', path.join(pki, 'ca.crt')],
    env: { PODLING_LOG_LEVEL: 'info', PODLING_KUBELET_AUTH_TOKEN: '' },
  });
  url = String((await apiserver.waitForLog((l) => l.msg === 'listening', 30_000)).url);
  assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
  await waitFor(async () => (await call('GET', '/readyz')).status === 200, {
    timeoutMs: 20_000, message: `apiserver /readyz over HTTPS; output:\n${apiserver.output().slice(-4000)}`,
  });
  // The kubeconfigs name the port given to --generate-certs; this server listens on a free one.
  for (const f of ['admin.kubeconfig', 'node-n1.kubeconfig']) {
    const cfg = parse(readFileSync(path.join(pki, f), 'utf8'));
    cfg.clusters[0].cluster.server = url;
    writeFileSync(path.join(pki, f), stringify(cfg));
  }
});

after(async () => {
  await kubelet?.stop();
  await apiserver?.stop();
  tmp.remove();
});

interface Res { status: number; body: Record<string, unknown> }

function call(method: string, urlPath: string, opts: { token?: string; body?: unknown; type?: string } = {}): Promise<Res> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(urlPath, url), {
      method, ca,
      headers: {
        accept: 'application/json',
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(payload ? { 'content-type': opts.type ?? 'application/json' } : {}),
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let body: Record<string, unknown> = {};
        try { body = JSON.parse(text); } catch { body = { text }; }
        resolve({ status: res.statusCode!, body });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('kubectl', ['--kubeconfig', path.join(pki, kubeconfig), ...args],
      { env: { ...process.env, HOME: home, KUBECONFIG: '' }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

test('auth e2e: kubectl with the generated admin kubeconfig lists pods over HTTPS', async () => {
  const r = await kubectl('admin.kubeconfig', ['get', 'pods', '-n', 'default']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr + r.stdout, /No resources found in default namespace/);
});

test('auth e2e: kubectl with a wrong token is told to log in', async () => {
  const r = await kubectl('admin.kubeconfig', ['get', 'pods', '--token', 'not-a-token']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /error: You must be logged in to the server/);
});

test('auth e2e: kubectl as a node is forbidden to create a namespace', async () => {
  const r = await kubectl('node-n1.kubeconfig', ['create', 'namespace', 'nope']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Error from server \(Forbidden\): namespaces is forbidden: User "system:node:n1" cannot create resource "namespaces" in API group "" at the cluster scope/);
});

test('auth e2e: a resource request without a token is 401, while /version stays open', async () => {
  const res = await call('GET', '/api/v1/namespaces/default/pods');
  assert.equal(res.status, 401);
  assert.deepEqual(res.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  assert.equal((await call('GET', '/version')).status, 200);
});

test('auth e2e: a node may write the status of a pod bound to it, and gets 403 for another node\'s pod', async () => {
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bound-to-n2', namespace: 'default' },
    spec: { nodeName: 'n2', containers: [{ name: 'main', image: 'busybox' }] },
  };
  const created = await call('POST', '/api/v1/namespaces/default/pods', { token: token.admin, body: pod });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const statusPath = '/api/v1/namespaces/default/pods/bound-to-n2/status';
  const patch = { status: { phase: 'Pending', message: 'patched by its node' } };
  const type = 'application/merge-patch+json';

  const denied = await call('PATCH', statusPath, { token: token.n1, body: patch, type });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.reason, 'Forbidden');
  assert.deepEqual(denied.body.details, { name: 'bound-to-n2', kind: 'pods' });
  assert.equal(denied.body.message,
    'pods "bound-to-n2" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');

  const allowed = await call('PATCH', statusPath, { token: token.n2, body: patch, type });
  assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
  assert.equal(((await call('GET', '/api/v1/namespaces/default/pods/bound-to-n2', { token: token.admin })).body.status as { message?: string }).message,
    'patched by its node');
});

test('auth e2e: a kubelet with its generated node kubeconfig registers, runs a pod and deletes it under node authorization', async () => {
  const logFrom = apiserver!.output().length;
  const rootDir = path.join(tmp.dir, 'kubelet');
  mkdirSync(rootDir);
  kubelet = await startKubelet({ server: url, nodeName: 'n1', rootDir, args: ['--kubeconfig', path.join(pki, 'node-n1.kubeconfig'),
    '--tls-cert-file', path.join(pki, 'kubelet-n1.crt'), '--tls-private-key-file', path.join(pki, 'kubelet-n1.key'), '--client-ca-file', path.join(pki, 'ca.crt')] });
  const get = async (p: string) => (await call('GET', p, { token: token.admin })).body as { status?: { phase?: string; conditions?: { type: string; status: string }[] } };
  await waitFor(async () => (await get('/api/v1/nodes/n1')).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'), {
    timeoutMs: 20_000, message: `node n1 Ready; kubelet output:\n${kubelet.process.output().slice(-3000)}`,
  });
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'runs-on-n1', namespace: 'default' },
    spec: { nodeName: 'n1', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] }] },
  };
  assert.equal((await call('POST', '/api/v1/namespaces/default/pods', { token: token.admin, body: pod })).status, 201);
  await waitFor(async () => (await get('/api/v1/namespaces/default/pods/runs-on-n1')).status?.phase === 'Running', {
    timeoutMs: 20_000, message: 'pod runs-on-n1 Running (the kubelet patched pods/status as system:node:n1)',
  });
  assert.equal((await call('DELETE', '/api/v1/namespaces/default/pods/runs-on-n1', { token: token.admin })).status, 200);
  await waitFor(async () => (await call('GET', '/api/v1/namespaces/default/pods/runs-on-n1', { token: token.admin })).status === 404, {
    timeoutMs: 20_000, message: 'pod runs-on-n1 removed (the kubelet deleted it as system:node:n1)',
  });
  const denials = apiserver!.output().slice(logFrom).split('\n').filter((l) => /"status":40[13]\b/.test(l));
  assert.deepEqual(denials, [], 'the kubelet was never denied');
});

test('auth e2e: exec over the TLS link runs for the admin and is forbidden to a node and a read-only user (issue 13)', async () => {
  assert.ok(kubelet, 'the kubelet test ran first');
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shell-on-n1', namespace: 'default' },
    spec: { nodeName: 'n1', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.2; done'] }] },
  };
  assert.equal((await call('POST', '/api/v1/namespaces/default/pods', { token: token.admin, body: pod })).status, 201);
  await waitFor(async () => ((await call('GET', '/api/v1/namespaces/default/pods/shell-on-n1', { token: token.admin })).body.status as { phase?: string })?.phase === 'Running', {
    timeoutMs: 20_000, message: 'shell-on-n1 Running',
  });
  const ok = await kubectl('admin.kubeconfig', ['exec', 'shell-on-n1', '--', 'sh', '-c', 'echo over tls; exit 5']);
  assert.equal(ok.code, 5, ok.stderr);
  assert.equal(ok.stdout, 'over tls\n');
  const denied = await kubectl('node-n1.kubeconfig', ['exec', 'shell-on-n1', '--', 'true']);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /Error from server \(Forbidden\): pods "shell-on-n1" is forbidden: User "system:node:n1" cannot create resource "pods\/exec" in API group "" in the namespace "default"/);
  // A read-only user may get the pod, but exec, attach and port-forward are `create` whatever the method.
  assert.equal((await kubectl('admin.kubeconfig', ['--token', token.reader, 'get', 'pod', 'shell-on-n1'])).code, 0);
  for (const [sub, args] of [['exec', ['exec', 'shell-on-n1', '--', 'true']], ['attach', ['attach', 'shell-on-n1']], ['portforward', ['port-forward', 'shell-on-n1', '1234:1234']]] as const) {
    const r = await kubectl('admin.kubeconfig', ['--token', token.reader, ...args]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`pods "shell-on-n1" is forbidden: User "jane" cannot create resource "pods/${sub}" in API group "" in the namespace "default"`));
  }
});

test('auth e2e: the agent answers 401 to a caller without the apiserver client certificate (issue 13)', async () => {
  assert.ok(kubelet, 'the kubelet test ran first');
  const res = await new Promise<number>((resolve, reject) => {
    https.get(`${kubelet!.url}/containerLogs/default/shell-on-n1/main`, { ca, servername: 'n1', checkServerIdentity: () => undefined }, (r) => { r.resume(); resolve(r.statusCode!); }).on('error', reject);
  });
  assert.equal(res, 401);
});

test('auth e2e: a node that reports another address cannot make the apiserver talk to it (issue 14.3)', async () => {
  // Two impostors on loopback: a plain HTTP server, and an HTTPS server with a certificate from the cluster CA that
  // names another node (n1). Node n2 points its kubelet endpoint at each in turn.
  let requests = 0;
  const plain = (await import('node:http')).createServer((_q, r) => { requests++; r.end('impostor'); });
  const wrongName = https.createServer({ cert: readFileSync(path.join(pki, 'kubelet-n1.crt')), key: readFileSync(path.join(pki, 'kubelet-n1.key')) }, (_q, r) => { requests++; r.end('impostor'); });
  for (const s of [plain, wrongName]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  try {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } };
    assert.equal((await call('POST', '/api/v1/nodes', { token: token.n2, body: node })).status, 201);
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-n2', namespace: 'default' },
      spec: { nodeName: 'n2', containers: [{ name: 'main', image: 'busybox', command: ['true'] }] },
    };
    assert.equal((await call('POST', '/api/v1/namespaces/default/pods', { token: token.admin, body: pod })).status, 201);
    for (const server of [plain, wrongName]) {
      const port = (server.address() as import('node:net').AddressInfo).port;
      const status = { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } };
      assert.equal((await call('PATCH', '/api/v1/nodes/n2/status', { token: token.n2, body: status, type: 'application/merge-patch+json' })).status, 200);
      const logs = await call('GET', '/api/v1/namespaces/default/pods/on-n2/log', { token: token.admin });
      assert.equal(logs.status, 503, JSON.stringify(logs.body));
      assert.doesNotMatch(JSON.stringify(logs.body), /impostor/);
      const exec = await kubectl('admin.kubeconfig', ['exec', 'on-n2', '--', 'true']);
      assert.equal(exec.code, 1);
      assert.match(exec.stderr, /error dialing backend/);
    }
    assert.equal(requests, 0, 'no request reached an impostor');
  } finally {
    plain.close();
    wrongName.close();
  }
});
