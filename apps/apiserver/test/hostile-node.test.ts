// Issue 14 (hardening), the node's side: an apiserver with tokens, two nodes that registered themselves, and one of
// them (n1) trying with its own token everything a kubelet should not be able to do. The table is in
// hostile-node-cases.ts; the reproductions are the named tests below.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, startApiserver, waitFor, type RunningApiserver } from '@podling/testkit';
import { assertStatus, rawRequest, type RawRes } from './hostile-http.ts';
import { ADMIN_LABEL, ADMIN_TAINT, NODE_CASES, NS, PODS, type Who } from './hostile-node-cases.ts';

const TOKENS: Record<Who | 'n2', string> = { admin: 'admin-token-0123456789', n1: 'node-n1-token-0123456789', n2: 'node-n2-token-0123456789' };
const MP = 'application/merge-patch+json';

let srv: RunningApiserver;
let tmp: ReturnType<typeof makeTempDir>;

function send(who: Who | 'n2', method: string, p: string, body?: unknown, contentType?: string): Promise<RawRes> {
  return rawRequest(srv.url, method, p, {
    body: body === undefined ? undefined : JSON.stringify(body), contentType, headers: { authorization: `Bearer ${TOKENS[who]}` },
  });
}

async function ok(r: Promise<RawRes>, code = 200): Promise<RawRes> {
  const res = await r;
  assert.equal(res.status, code, res.text);
  return res;
}

const node = (name: string) => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
});
const pod = (name: string, nodeName?: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1'] }], ...extra },
});

before(async () => {
  tmp = makeTempDir('podling-hostile-node-');
  const tokenFile = path.join(tmp.dir, 'tokens.csv');
  writeFileSync(tokenFile, [
    `${TOKENS.admin},admin,1,"system:masters"`,
    `${TOKENS.n1},system:node:n1,2,"system:nodes"`,
    `${TOKENS.n2},system:node:n2,3,"system:nodes"`,
  ].join('\n') + '\n');
  srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db'), args: ['--controllers', 'none', '--token-auth-file', tokenFile] });
  // Each node registers itself, as an agent does; then an admin fences n1 off.
  await ok(send('n1', 'POST', '/api/v1/nodes', node('n1')), 201);
  await ok(send('n2', 'POST', '/api/v1/nodes', node('n2')), 201);
  await ok(send('admin', 'PATCH', '/api/v1/nodes/n1', { metadata: { labels: { [ADMIN_LABEL]: 'fenced' } }, spec: { taints: [ADMIN_TAINT], unschedulable: true } }, MP));
  await ok(send('admin', 'POST', PODS, pod('on-n1', 'n1')), 201);
  await ok(send('admin', 'POST', PODS, pod('on-n2', 'n2')), 201);
  await ok(send('admin', 'POST', PODS, pod('unbound')), 201);
});

after(async () => {
  await srv?.stop();
  tmp?.remove();
});

describe('what a node may do with its own token', () => {
  for (const c of NODE_CASES) {
    test(c.what, async () => {
      const r = await send(c.who, c.method, c.path, c.body, c.contentType);
      if (c.code < 400) assert.equal(r.status, c.code, r.text);
      else assertStatus(r, c.code);
      if (c.message) assert.ok(String(r.body.message).includes(c.message), `message ${JSON.stringify(r.body.message)} lacks ${JSON.stringify(c.message)}`);
    });
  }
});

test('issue 14.1: a node cannot relabel, untaint or uncordon itself to draw pods meant for other nodes', async () => {
  const before = (await ok(send('admin', 'GET', '/api/v1/nodes/n1'))).body;
  const hostile = {
    metadata: { labels: { 'kubernetes.io/hostname': 'n2', 'node-restriction.kubernetes.io/tier': 'secure', [ADMIN_LABEL]: null } },
    spec: { taints: null, unschedulable: false },
  };
  const r = await send('n1', 'PATCH', '/api/v1/nodes/n1', hostile, MP);
  assertStatus(r, 403, 'Forbidden');
  assert.match(r.body.message, /^nodes "n1" is forbidden: /);
  const afterwards = (await ok(send('admin', 'GET', '/api/v1/nodes/n1'))).body;
  assert.equal(afterwards.metadata.labels['kubernetes.io/hostname'], 'n1');
  assert.equal(afterwards.metadata.labels[ADMIN_LABEL], 'fenced');
  assert.deepEqual(afterwards.spec, before.spec, 'taints and the cordon are the admin\'s');
  assert.equal(afterwards.spec.unschedulable, true);
  // The whole object sent back with PUT, as a kubelet's reconcile does, still works when it changes nothing forbidden.
  const put = await send('n1', 'PUT', '/api/v1/nodes/n1', { ...afterwards, metadata: { ...afterwards.metadata, labels: { ...afterwards.metadata.labels, 'example.com/rack': 'r1' } } });
  assert.equal(put.status, 200, put.text);
});

test('issue 14.2: a node cannot keep its pod alive with a finalizer or relabel it through pods/status', async () => {
  await ok(send('admin', 'POST', PODS, pod('keep-me', 'n1')), 201);
  const viaStatus = await send('n1', 'PATCH', `${PODS}/keep-me/status`, { metadata: { finalizers: ['example.com/keep'], annotations: { a: 'b' } }, status: { phase: 'Running' } }, MP);
  assert.equal(viaStatus.status, 200, viaStatus.text);
  assert.equal(viaStatus.body.status.phase, 'Running', 'the status part of the write lands');
  assert.equal(viaStatus.body.metadata.finalizers, undefined, 'metadata is reset to the stored object');
  assert.equal(viaStatus.body.metadata.annotations, undefined);
  const relabel = await send('n1', 'PATCH', `${PODS}/keep-me/status`, { metadata: { labels: { app: 'stolen' } } }, MP);
  assertStatus(relabel, 403, 'Forbidden');
  // The pod still goes: the admin's delete starts it, the node's grace-0 delete finishes it.
  await ok(send('admin', 'DELETE', `${PODS}/keep-me`));
  await ok(send('n1', 'DELETE', `${PODS}/keep-me`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 }));
  await waitFor(async () => (await send('admin', 'GET', `${PODS}/keep-me`)).status === 404, { timeoutMs: 5000, message: 'pod keep-me removed' });
});

test('issue 14.2: status writes change status only, for an admin too, on pods, nodes and namespaces', async () => {
  const meta = { labels: { via: 'status' }, annotations: { via: 'status' }, finalizers: ['example.com/x'] };
  const p = await ok(send('admin', 'PATCH', `${PODS}/on-n2/status`, { metadata: meta, status: { message: 'hi' } }, MP));
  assert.equal(p.body.status.message, 'hi');
  assert.deepEqual([p.body.metadata.labels, p.body.metadata.annotations, p.body.metadata.finalizers], [undefined, undefined, undefined]);
  const n = await ok(send('admin', 'PATCH', '/api/v1/nodes/n2/status', { metadata: meta, spec: { unschedulable: true } }, MP));
  assert.equal(n.body.metadata.labels.via, undefined);
  assert.equal(n.body.metadata.finalizers, undefined);
  assert.equal(n.body.spec.unschedulable, undefined, 'nodes/status never changes spec');
  await ok(send('admin', 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'status-only' } }), 201);
  const ns = await ok(send('admin', 'PATCH', '/api/v1/namespaces/status-only/status', { metadata: meta }, MP));
  assert.deepEqual([ns.body.metadata.labels?.via, ns.body.metadata.finalizers], [undefined, undefined]);
  // The main resource still takes metadata.
  const main = await ok(send('admin', 'PATCH', `${PODS}/on-n2`, { metadata: { labels: { via: 'main' } } }, MP));
  assert.equal(main.body.metadata.labels.via, 'main');
});

test('issue 14.11: a node asking about a missing pod gets 404 NotFound, and 403 only for a pod that is another node\'s', async () => {
  const patch = await send('n1', 'PATCH', `${PODS}/never-was/status`, { status: { phase: 'Failed' } }, MP);
  assertStatus(patch, 404, 'NotFound');
  assert.equal(patch.body.message, 'pods "never-was" not found');
  assertStatus(await send('n1', 'DELETE', `${PODS}/never-was`), 404, 'NotFound');
  assertStatus(await send('n1', 'GET', `${PODS}/never-was`), 404, 'NotFound');
  assertStatus(await send('n1', 'PATCH', `${PODS}/on-n2/status`, { status: { phase: 'Failed' } }, MP), 403, 'Forbidden');
});
