// Issue 14.10: what a client may hold while its request is arriving. A refused upload loses its connection, headers
// and idle connections time out, a node over its in-flight cap gets Kubernetes' 429 while watches, other nodes'
// heartbeats and admins go on, and bodies beyond the byte budget are refused before they are read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { KubeClient } from '@podling/client';
import { makeTempDir, startApiserver, waitFor, type RunningApiserver } from '@podling/testkit';
import { call, pod, type Res } from './http-helpers.ts';
import { openUpload, type SlowUpload } from './slow-client.ts';
import { httpWatch } from './watch-reader.ts';

const tokens = { admin: 'admin-token', n1: 'node-1-token', n2: 'node-2-token' };
let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
const open: SlowUpload[] = [];

before(async () => {
  tmp = makeTempDir('podling-limits-');
  const file = path.join(tmp.dir, 'tokens.csv');
  writeFileSync(file, [
    `${tokens.admin},admin,1,"system:masters"`,
    `${tokens.n1},system:node:n1,2,"system:nodes"`,
    `${tokens.n2},system:node:n2,3,"system:nodes"`,
  ].join('\n'));
  srv = await startApiserver({
    dbPath: path.join(tmp.dir, 'podling.db'),
    args: ['--controllers', 'none', '--token-auth-file', file,
      '--request-header-timeout', '1s', '--request-read-timeout', '20s', '--idle-connection-timeout', '1s',
      '--max-requests-inflight', '3', '--max-mutating-requests-inflight', '2', '--max-request-bytes-inflight', String(4 * 1024 * 1024)],
  });
});
after(async () => {
  for (const u of open) u.destroy();
  await srv?.stop();
  tmp?.remove();
});

async function upload(o: Parameters<typeof openUpload>[1]): Promise<SlowUpload> {
  const u = await openUpload(srv.url, o);
  open.push(u);
  return u;
}

async function metrics(): Promise<Record<string, number>> {
  const res = await call(srv.url, 'GET', '/metrics', undefined, { token: tokens.admin });
  return Object.fromEntries([...res.text.matchAll(/^(podling_\w+) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

const event = (name: string) => ({
  apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' },
  involvedObject: { kind: 'Node', name: 'n1' }, reason: 'Test', message: 'm', type: 'Normal',
});

describe('issue 14.10: connections', () => {
  test('a 401 to an upload still arriving is answered and the connection closed by the server', async () => {
    const u = await upload({ path: '/api/v1/namespaces/default/pods', token: 'wrong', contentLength: 100_000, first: '{"kind":' });
    const timer = setInterval(() => u.send(' '), 50);
    try {
      await waitFor(() => u.closedBy(), { timeoutMs: 5000, message: 'the server closes the connection after its 401' });
    } finally { clearInterval(timer); }
    assert.equal(u.closedBy(), 'server');
    assert.equal(u.answer()?.status, 401);
    assert.equal(u.answer()?.headers.connection, 'close');
  });

  test('a 401 without a body closes the connection too', async () => {
    const u = await upload({ method: 'GET', path: '/api/v1/pods', token: 'wrong', contentLength: 0 });
    await waitFor(() => u.closedBy(), { timeoutMs: 5000, message: 'the server closes the connection after its 401' });
    assert.equal(u.answer()?.status, 401);
  });

  test('a connection that sends nothing, or never finishes its headers, is answered 408 and closed after --request-header-timeout', async () => {
    const t0 = Date.now();
    const silent = await upload({ method: 'GET', path: '/version', contentLength: 0, headOnly: '' });
    const partial = await upload({ method: 'GET', path: '/version', contentLength: 0, headOnly: 'GET /version HTTP/1.1\r\nHost: x\r\n' });
    await waitFor(() => silent.closedBy() && partial.closedBy(), { timeoutMs: 5000, message: 'both connections are closed by the server' });
    assert.ok(Date.now() - t0 >= 900, 'not before the timeout');
    for (const u of [silent, partial]) {
      assert.equal(u.closedBy(), 'server');
      assert.equal(u.answer()?.status, 408);
    }
  });

  test('an idle keep-alive connection is closed after --idle-connection-timeout', async () => {
    const u = await upload({ method: 'GET', path: '/version', contentLength: 0 });
    await waitFor(() => u.answer(), { timeoutMs: 5000, message: 'an answer to GET /version' });
    assert.equal(u.answer()!.status, 200);
    await waitFor(() => u.closedBy(), { timeoutMs: 5000, message: 'the idle connection is closed' });
    assert.equal(u.closedBy(), 'server');
  });
});

describe('issue 14.10: max-in-flight', () => {
  test('a node over --max-mutating-requests-inflight gets 429 TooManyRequests with Retry-After 1, while a watch, another node\'s heartbeat and an admin go on', async () => {
    const watch = httpWatch(srv.url, '/api/v1/namespaces/default/pods?watch=true', { authorization: `Bearer ${tokens.n1}` });
    assert.equal(await watch.status, 200);
    try {
      // Two uploads that never finish hold n1's two mutating slots.
      const slow = [];
      for (let i = 0; i < 2; i++) slow.push(await upload({ path: '/api/v1/namespaces/default/events', token: tokens.n1, contentLength: 1000, first: '{' }));
      let refused: Res | undefined;
      await waitFor(async () => {
        const r = await call(srv.url, 'POST', '/api/v1/namespaces/default/events', event(`e-${Date.now()}`), { token: tokens.n1 });
        if (r.status === 429) refused = r;
        return refused;
      }, { timeoutMs: 5000, message: 'a third mutating request of n1 is refused' });
      assert.equal(refused!.headers.get('retry-after'), '1');
      assert.equal(refused!.body.kind, 'Status');
      assert.equal(refused!.body.reason, 'TooManyRequests');
      assert.equal(refused!.body.code, 429);
      assert.equal(refused!.body.details.retryAfterSeconds, 1);
      const m = await metrics();
      assert.ok(m.podling_inflight_rejected_total >= 1 && m.podling_inflight_mutating_requests >= 2, JSON.stringify(m));

      assert.equal((await call(srv.url, 'GET', '/api/v1/namespaces/default/pods', undefined, { token: tokens.n1 })).status, 200, 'reads have their own pool');
      const lease = {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n2', namespace: 'kube-node-lease' },
        spec: { holderIdentity: 'n2', leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') },
      };
      const leases = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
      assert.equal((await call(srv.url, 'POST', leases, lease, { token: tokens.n2 })).status, 201, 'n2 registers its lease');
      const renewed = await call(srv.url, 'PATCH', `${leases}/n2`, { spec: { renewTime: new Date().toISOString().replace('Z', '000Z') } },
        { token: tokens.n2, contentType: 'application/merge-patch+json' });
      assert.equal(renewed.status, 200, `n2's heartbeat: ${renewed.text}`);
      const created = await call(srv.url, 'POST', '/api/v1/namespaces/default/pods', pod('during-flood'), { token: tokens.admin });
      assert.equal(created.status, 201, 'system:masters are exempt');
      await watch.log.waitFor((e) => e.type === 'ADDED' && e.object.metadata.name === 'during-flood');
      const n1Watch = httpWatch(srv.url, '/api/v1/namespaces/default/pods?watch=true', { authorization: `Bearer ${tokens.n1}` });
      assert.equal(await n1Watch.status, 200, 'a new watch of the busy node is not counted');
      n1Watch.stop();

      for (const u of slow) u.destroy();
      await waitFor(async () => (await call(srv.url, 'POST', '/api/v1/namespaces/default/events', event(`e-after-${Date.now()}`), { token: tokens.n1 })).status === 201,
        { timeoutMs: 5000, message: 'n1 may write again once its uploads are gone' });
    } finally {
      watch.stop();
    }
  });
  test('the Podling client waits out a 429\'s Retry-After and tries again, as client-go does', async () => {
    const slow = [];
    for (let i = 0; i < 2; i++) slow.push(await upload({ path: '/api/v1/namespaces/default/events', token: tokens.n1, contentLength: 1000, first: '{' }));
    // The uploads' heads may still be on their way: the creates below must meet both slots taken, not race them.
    await waitFor(async () => (await metrics()).podling_inflight_mutating_requests >= 2, { timeoutMs: 5000, message: 'both of n1\'s mutating slots are held' });
    const client = new KubeClient({ server: srv.url, token: tokens.n1 });
    const before = (await metrics()).podling_inflight_rejected_total;
    const creates = Array.from({ length: 5 }, (_, i) => client.create({ resource: 'events', namespace: 'default' }, event(`retried-${i}`)));
    try {
      await waitFor(async () => (await metrics()).podling_inflight_rejected_total >= before + 5, { timeoutMs: 5000, message: 'the creates were refused with 429 first' });
    } finally {
      for (const u of slow) u.destroy();
    }
    const results = await Promise.allSettled(creates);
    assert.deepEqual(results.map((r) => r.status), Array(5).fill('fulfilled'), JSON.stringify(results.filter((r) => r.status === 'rejected')));
  });
});

describe('issue 14.10: body bytes in flight', () => {
  test('a large body that does not fit the budget is refused with 429 before it is sent; a small one still fits', async () => {
    const held = await upload({ path: '/api/v1/namespaces/default/pods', token: tokens.admin, contentLength: 3_000_000, first: '{' });
    try {
      let refused: SlowUpload | undefined;
      await waitFor(async () => {
        const u = await upload({ path: '/api/v1/namespaces/default/pods', token: tokens.admin, contentLength: 3_000_000 });
        await waitFor(() => u.answer() || u.closedBy(), { timeoutMs: 5000, message: 'the second upload is answered' });
        if (u.answer()?.status === 429) refused = u;
        return refused;
      }, { timeoutMs: 5000, message: 'a second 3 MB body is refused while the first one is held' });
      assert.equal(refused!.answer()!.headers['retry-after'], '1');
      assert.equal(JSON.parse(refused!.answer()!.body).reason, 'TooManyRequests');
      const m = await metrics();
      assert.ok(m.podling_request_body_rejected_total >= 1 && m.podling_request_body_bytes_inflight >= 3_000_000, JSON.stringify(m));
      await waitFor(() => refused!.closedBy(), { timeoutMs: 5000, message: 'the refused upload is closed' });
      const small = await call(srv.url, 'POST', '/api/v1/namespaces/default/pods', pod('small-body'), { token: tokens.admin });
      assert.equal(small.status, 201, small.text);
    } finally {
      held.destroy();
    }
  });
});
