// EventRecorder, as the controllers use it (whole objects, no send limits) and as the kubelet does (object
// references, rate limit, in-flight and queue bounds, yielding to pod status writes): one Event per distinct
// occurrence, repeats counted with a merge PATCH, the client-go spam filter, failures swallowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, type KubeEvent, type Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import type { KubeClientApi, PatchType } from '../src/index.ts';
import { EventRecorder, MAX_YIELD_MS, SPAM_BURST, type EventYield } from '../src/event-recorder.ts';

interface Call { verb: 'create' | 'patch'; namespace?: string; name: string; body: unknown; patchType?: PatchType; at: number }

/**
 * A fake events API: creates store the Event, patches 404 unless it is stored. With `gate`, every request waits
 * until the test calls `release()` (one request) — for in-flight and ordering checks.
 */
function fakeClient(opts: { gate?: boolean } = {}) {
  const calls: Call[] = [];
  const stored = new Map<string, KubeEvent>();
  const held: (() => void)[] = [];
  let inFlight = 0;
  let peak = 0;
  const enter = async () => {
    peak = Math.max(peak, ++inFlight);
    if (opts.gate) await new Promise<void>((r) => held.push(r));
  };
  const client = {
    async create(ref: { namespace?: string }, obj: KubeEvent) {
      calls.push({ verb: 'create', namespace: ref.namespace, name: obj.metadata.name!, body: obj, at: performance.now() });
      try { await enter(); } finally { inFlight--; }
      stored.set(obj.metadata.name!, obj);
      return obj;
    },
    async patch(ref: { namespace?: string }, name: string, body: Partial<KubeEvent>, patchType?: PatchType) {
      calls.push({ verb: 'patch', namespace: ref.namespace, name, body, patchType, at: performance.now() });
      try { await enter(); } finally { inFlight--; }
      if (!stored.has(name)) throw errors.notFound('events', name);
      return { ...stored.get(name)!, ...body };
    },
  } as unknown as KubeClientApi;
  return { client, calls, stored, held, peak: () => peak, release: () => held.shift()?.() };
}

/** Lets every queued microtask run: after it, whatever the recorder would send without a timer has been sent. */
const drain = () => new Promise<void>((r) => setImmediate(r));

const pod: Pod = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'team', uid: 'u1', resourceVersion: '7' },
  spec: { containers: [{ name: 'c' }] },
};
const podRef = { namespace: 'team', name: 'web', uid: 'u1' };
const reasons = (calls: Call[]) => calls.map((c) => (c.body as KubeEvent).reason);

test('the first occurrence creates a core/v1 Event about the object, timestamps at second precision', async () => {
  const { client, calls } = fakeClient();
  const rec = new EventRecorder(client, { component: 'default-scheduler', now: () => new Date('2024-05-01T12:00:00.123Z') });
  await rec.record(pod, 'Normal', 'Scheduled', 'Successfully assigned team/web to n1');
  assert.equal(calls.length, 1);
  const ev = calls[0].body as KubeEvent;
  assert.equal(calls[0].namespace, 'team');
  assert.match(ev.metadata.name!, /^web\.[0-9a-f]+$/);
  assert.deepEqual(ev.involvedObject, { kind: 'Pod', apiVersion: 'v1', namespace: 'team', name: 'web', uid: 'u1', resourceVersion: '7' });
  assert.deepEqual([ev.type, ev.reason, ev.message, ev.count], ['Normal', 'Scheduled', 'Successfully assigned team/web to n1', 1]);
  assert.deepEqual(ev.source, { component: 'default-scheduler' });
  assert.deepEqual([ev.reportingComponent, ev.reportingInstance], ['default-scheduler', '']);
  assert.deepEqual([ev.firstTimestamp, ev.lastTimestamp], ['2024-05-01T12:00:00Z', '2024-05-01T12:00:00Z']);
});

test('an object reference gives a Pod involvedObject with its fieldPath; the host is the source and reporting instance', async () => {
  const { client, calls } = fakeClient();
  const rec = new EventRecorder(client, { component: 'kubelet', host: 'node-a' });
  await rec.record({ ...podRef, fieldPath: 'spec.containers{c}' }, 'Normal', 'Started', 'Started container c');
  const ev = calls[0].body as KubeEvent;
  assert.deepEqual(ev.involvedObject, { kind: 'Pod', apiVersion: 'v1', namespace: 'team', name: 'web', uid: 'u1', fieldPath: 'spec.containers{c}' });
  assert.deepEqual(ev.source, { component: 'kubelet', host: 'node-a' });
  assert.deepEqual([ev.reportingComponent, ev.reportingInstance], ['kubelet', 'node-a']);
});

test('an identical repeat bumps count and lastTimestamp with a merge patch instead of creating another Event', async () => {
  const { client, calls } = fakeClient();
  let now = Date.parse('2024-05-01T12:00:00Z');
  const rec = new EventRecorder(client, { component: 'default-scheduler', now: () => new Date(now) });
  void rec.record(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.');
  now += 5000;
  await rec.record(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.');
  await rec.record(pod, 'Warning', 'FailedScheduling', '0/2 nodes are available: 2 Insufficient cpu.');
  assert.deepEqual(calls.map((c) => c.verb), ['create', 'patch', 'create']);
  assert.deepEqual(calls[1].body, { count: 2, lastTimestamp: '2024-05-01T12:00:05Z' });
  assert.equal(calls[1].patchType, 'merge');
  assert.equal(calls[1].name, calls[0].name);
});

test('events about different containers of one pod are different Events', async () => {
  const { client, calls } = fakeClient();
  const rec = new EventRecorder(client, { component: 'kubelet', host: 'node-a' });
  await rec.record({ ...podRef, fieldPath: 'spec.containers{a}' }, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await rec.record({ ...podRef, fieldPath: 'spec.containers{b}' }, 'Warning', 'BackOff', 'Back-off restarting failed container');
  assert.deepEqual(calls.map((c) => c.verb), ['create', 'create']);
});

test('a repeat recorded while the first is still being created waits for it and patches (no second create)', async () => {
  const { client, calls, release } = fakeClient({ gate: true });
  const rec = new EventRecorder(client, { component: 'kubelet', host: 'node-a' });
  const first = rec.record(podRef, 'Warning', 'Unhealthy', 'Liveness probe failed');
  const second = rec.record(podRef, 'Warning', 'Unhealthy', 'Liveness probe failed');
  await waitFor(() => calls.length === 1, { timeoutMs: 1000, message: 'the create was sent' });
  release();
  await first;
  await waitFor(() => calls.length === 2, { timeoutMs: 1000, message: 'the repeat was sent' });
  release();
  await second;
  assert.deepEqual(calls.map((c) => c.verb), ['create', 'patch']);
  assert.deepEqual((calls[1].body as Partial<KubeEvent>).count, 2);
});

test('events about cluster-scoped objects go to the default namespace', async () => {
  const { client, calls } = fakeClient();
  const rec = new EventRecorder(client, { component: 'node-controller' });
  await rec.record({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'u2' } }, 'Normal', 'NodeNotReady', 'Node n1 status is now: NodeNotReady');
  const kubelet = new EventRecorder(client, { component: 'kubelet', host: 'n1' });
  await kubelet.record({ kind: 'Node', namespace: 'default', name: 'n1', uid: 'n1' }, 'Warning', 'ProxyFailed', 'no nftables');
  assert.deepEqual(calls.map((c) => c.namespace), ['default', 'default']);
  assert.equal((calls[1].body as KubeEvent).involvedObject.kind, 'Node');
});

test('a repeat of an Event that vanished creates it again with the running count and first timestamp', async () => {
  const { client, calls, stored } = fakeClient();
  let now = Date.parse('2024-05-01T12:00:00Z');
  const rec = new EventRecorder(client, { component: 'node-controller', now: () => new Date(now) });
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'u2' } };
  await rec.record(node, 'Normal', 'NodeNotReady', 'Node n1 status is now: NodeNotReady');
  stored.clear();
  now += 60_000;
  await rec.record(node, 'Normal', 'NodeNotReady', 'Node n1 status is now: NodeNotReady');
  assert.deepEqual(calls.map((c) => `${c.verb} ${c.namespace}`), ['create default', 'patch default', 'create default']);
  const again = calls[2].body as KubeEvent;
  assert.equal(again.metadata.name, calls[0].name);
  assert.deepEqual([again.count, again.firstTimestamp, again.lastTimestamp], [2, '2024-05-01T12:00:00Z', '2024-05-01T12:01:00Z']);
  await rec.record(node, 'Normal', 'NodeNotReady', 'Node n1 status is now: NodeNotReady');
  assert.deepEqual(calls.map((c) => c.verb).slice(3), ['patch'], 'the recreated Event is patched again');
});

test('recording never throws: a failure is logged as a warning and dropped', async () => {
  const warned: unknown[] = [];
  const client = { create: async () => { throw new Error('connection refused'); } } as unknown as KubeClientApi;
  const rec = new EventRecorder(client, { component: 'x', logger: { warn: (obj) => { warned.push(obj); } } });
  await rec.record(pod, 'Normal', 'R', 'm');
  await rec.record(podRef, 'Normal', 'R', 'm');
  assert.equal(warned.length, 2);
});

test('event names are unique within one millisecond, within one recorder and across recorders', async () => {
  const { client, calls } = fakeClient();
  const now = () => new Date('2024-05-01T12:00:00Z');
  const a = new EventRecorder(client, { component: 'kubelet', host: 'hollow-1', now });
  const b = new EventRecorder(client, { component: 'kubelet', host: 'hollow-2', now });
  const node = { kind: 'Node', namespace: 'default', name: 'n1', uid: 'n1' };
  for (let i = 0; i < 20; i++) await a.record(node, 'Normal', 'R', `m${i}`);
  await b.record(node, 'Normal', 'R', 'm0');
  const names = calls.map((c) => c.name);
  assert.equal(new Set(names).size, 21, names.join(' '));
});

test('a burst about one object records 25 events and drops the rest; one more is allowed after 5 minutes (client-go spam filter)', async () => {
  const { client, calls } = fakeClient();
  let now = Date.parse('2024-05-01T12:00:00Z');
  const rec = new EventRecorder(client, { component: 'replicaset-controller', now: () => new Date(now) });
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'team', uid: 'rs1' } };
  for (let i = 0; i < 40; i++) await rec.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: web-1-${i}`);
  assert.equal(calls.length, SPAM_BURST);
  await rec.record(pod, 'Normal', 'Scheduled', 'Successfully assigned team/web to n1');
  assert.equal(calls.length, 26, 'another object has its own bucket');
  now += 300_000;
  await rec.record(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-1-40');
  await rec.record(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-1-41');
  assert.equal(calls.length, 27);
});

test('the spam filter also counts repeats and the kubelet\'s events about one pod, whatever the container', async () => {
  const { client, calls } = fakeClient();
  const rec = new EventRecorder(client, { component: 'kubelet', host: 'node-a', qps: 50, burst: 100, maxInFlight: 4, maxQueue: 1000 });
  for (let i = 0; i < 30; i++) await rec.record({ ...podRef, fieldPath: `spec.containers{c${i % 3}}` }, 'Warning', 'BackOff', 'Back-off restarting failed container');
  assert.deepEqual(calls.map((c) => c.verb), [...Array(3).fill('create'), ...Array(SPAM_BURST - 3).fill('patch')]);
});

test('with a rate limit, events beyond the burst go out at qps', async () => {
  const { client, calls } = fakeClient();
  const rec = new EventRecorder(client, { component: 'kubelet', host: 'node-a', qps: 10, burst: 1 });
  const t0 = performance.now();
  for (const r of ['A', 'B', 'C']) void rec.record(podRef, 'Normal', r, 'm');
  // waitFor, not flush(): the recorder's own timers do not keep the process alive.
  await waitFor(() => calls.length === 3, { timeoutMs: 2000, message: 'three events sent' });
  assert.deepEqual(reasons(calls), ['A', 'B', 'C']);
  assert.ok(calls[2].at - t0 >= 200, `third event sent ${Math.round(calls[2].at - t0)} ms after the first was recorded`);
});

test('at most maxInFlight requests run at once', async () => {
  const f = fakeClient({ gate: true });
  const rec = new EventRecorder(f.client, { component: 'kubelet', host: 'node-a', maxInFlight: 2 });
  for (const r of ['A', 'B', 'C', 'D', 'E']) void rec.record(podRef, 'Normal', r, 'm');
  await waitFor(() => f.calls.length >= 2, { timeoutMs: 1000, message: 'two requests sent' });
  await drain();
  assert.deepEqual(reasons(f.calls), ['A', 'B']);
  while (f.held.length > 0) { f.release(); await drain(); }
  await rec.flush();
  assert.deepEqual(reasons(f.calls), ['A', 'B', 'C', 'D', 'E']);
  assert.equal(f.peak(), 2);
});

test('beyond maxQueue waiting recordings, new ones are dropped', async () => {
  const f = fakeClient({ gate: true });
  const rec = new EventRecorder(f.client, { component: 'kubelet', host: 'node-a', maxInFlight: 1, maxQueue: 2 });
  void rec.record(podRef, 'Normal', 'A', 'm');
  await waitFor(() => f.calls.length === 1, { timeoutMs: 1000, message: 'A sent' });
  for (const r of ['B', 'C', 'D', 'E']) void rec.record(podRef, 'Normal', r, 'm');
  while (f.held.length > 0) { f.release(); await drain(); }
  await rec.flush();
  assert.deepEqual(reasons(f.calls), ['A', 'B', 'C']);
});

function yielding(yieldTo: EventYield, now?: () => Date) {
  const { client, calls } = fakeClient();
  return { events: new EventRecorder(client, { component: 'kubelet', host: 'node-a', yieldTo, now }), calls };
}

test('events wait while pod statuses are being written and are sent once none are pending, stamped when recorded', async () => {
  let idle: (() => void) | undefined;
  let now = Date.parse('2024-05-01T12:00:00Z');
  const status = { busy: true, onIdle(cb: () => void) { idle = cb; } };
  const { events, calls } = yielding(status, () => new Date(now));
  void events.record(podRef, 'Normal', 'Created', 'Created container app');
  void events.record(podRef, 'Normal', 'Started', 'Started container app');
  await waitFor(() => idle, { timeoutMs: 1000, message: 'the recorder asked to hear when statuses are written' });
  await drain();
  assert.equal(calls.length, 0);
  now += 1000;
  status.busy = false;
  idle!();
  await events.flush();
  assert.deepEqual(reasons(calls), ['Created', 'Started']);
  assert.equal((calls[0].body as KubeEvent).lastTimestamp, '2024-05-01T12:00:00Z');
});

test('events do not wait forever for statuses that never settle', async () => {
  const { events, calls } = yielding({ busy: true, onIdle() {} });
  const t0 = performance.now();
  void events.record(podRef, 'Warning', 'BackOff', 'Back-off restarting failed container app in pod p');
  await waitFor(() => calls.length === 1, { timeoutMs: MAX_YIELD_MS + 3000, message: 'event sent despite busy statuses' });
  assert.ok(calls[0].at - t0 >= MAX_YIELD_MS, `sent after ${Math.round(calls[0].at - t0)} ms`);
});

test('without pending statuses events go out at once', async () => {
  let asked = false;
  const { events, calls } = yielding({ busy: false, onIdle(cb) { asked = true; cb(); } });
  await events.record(podRef, 'Normal', 'Started', 'Started container app');
  assert.equal(calls.length, 1);
  assert.equal(asked, false);
});
