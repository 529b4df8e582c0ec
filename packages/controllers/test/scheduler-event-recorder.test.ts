// EventRecorder (used by the scheduler and the node lifecycle controller): one Event per distinct occurrence,
// repeats counted with a PATCH, failures swallowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, type KubeEvent, type Pod } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
import { EventRecorder } from '../src/event-recorder.ts';

function fakeClient() {
  const calls: { verb: string; namespace?: string; name?: string; body: unknown }[] = [];
  const stored = new Map<string, KubeEvent>();
  const client = {
    async create(ref: { namespace?: string }, obj: KubeEvent) {
      calls.push({ verb: 'create', namespace: ref.namespace, body: obj });
      stored.set(obj.metadata.name!, obj);
      return obj;
    },
    async patch(ref: { namespace?: string }, name: string, body: Partial<KubeEvent>) {
      calls.push({ verb: 'patch', namespace: ref.namespace, name, body });
      if (!stored.has(name)) throw errors.notFound('events', name);
      return { ...stored.get(name)!, ...body };
    },
  } as unknown as KubeClientApi;
  return { client, calls, stored };
}

const pod: Pod = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'team', uid: 'u1', resourceVersion: '7' },
  spec: { containers: [{ name: 'c' }] },
};

test('the first occurrence creates a core/v1 Event about the object', async () => {
  const { client, calls } = fakeClient();
  const rec = new EventRecorder(client, 'default-scheduler', undefined, () => new Date('2024-05-01T12:00:00.123Z'));
  await rec.record(pod, 'Normal', 'Scheduled', 'Successfully assigned team/web to n1');
  assert.equal(calls.length, 1);
  const ev = calls[0].body as KubeEvent;
  assert.equal(calls[0].namespace, 'team');
  assert.match(ev.metadata.name!, /^web\.[0-9a-f]+$/);
  assert.deepEqual(ev.involvedObject, { kind: 'Pod', apiVersion: 'v1', namespace: 'team', name: 'web', uid: 'u1', resourceVersion: '7' });
  assert.deepEqual([ev.type, ev.reason, ev.message, ev.count], ['Normal', 'Scheduled', 'Successfully assigned team/web to n1', 1]);
  assert.deepEqual(ev.source, { component: 'default-scheduler' });
  assert.equal(ev.firstTimestamp, '2024-05-01T12:00:00Z');
});

test('an identical repeat bumps count and lastTimestamp instead of creating another Event', async () => {
  const { client, calls } = fakeClient();
  let now = Date.parse('2024-05-01T12:00:00Z');
  const rec = new EventRecorder(client, 'default-scheduler', undefined, () => new Date(now));
  void rec.record(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.');
  now += 5000;
  await rec.record(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.');
  await rec.record(pod, 'Warning', 'FailedScheduling', '0/2 nodes are available: 2 Insufficient cpu.');
  assert.deepEqual(calls.map((c) => c.verb), ['create', 'patch', 'create']);
  assert.deepEqual(calls[1].body, { count: 2, lastTimestamp: '2024-05-01T12:00:05Z' });
  assert.equal(calls[1].name, (calls[0].body as KubeEvent).metadata.name);
});

test('events about cluster-scoped objects go to the default namespace; a vanished Event is recreated', async () => {
  const { client, calls, stored } = fakeClient();
  const rec = new EventRecorder(client, 'node-controller');
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'u2' } };
  await rec.record(node, 'Normal', 'NodeNotReady', 'Node n1 status is now: NodeNotReady');
  stored.clear();
  await rec.record(node, 'Normal', 'NodeNotReady', 'Node n1 status is now: NodeNotReady');
  assert.deepEqual(calls.map((c) => `${c.verb} ${c.namespace}`), ['create default', 'patch default', 'create default']);
});

test('recording never throws', async () => {
  const client = { create: async () => { throw new Error('connection refused'); } } as unknown as KubeClientApi;
  await new EventRecorder(client, 'x').record(pod, 'Normal', 'R', 'm');
});

test('a burst about one object records 25 events and drops the rest; one more is allowed after 5 minutes (client-go spam filter)', async () => {
  const { client, calls } = fakeClient();
  let now = Date.parse('2024-05-01T12:00:00Z');
  const rec = new EventRecorder(client, 'replicaset-controller', undefined, () => new Date(now));
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'team', uid: 'rs1' } };
  for (let i = 0; i < 40; i++) await rec.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: web-1-${i}`);
  assert.equal(calls.length, 25);
  await rec.record(pod, 'Normal', 'Scheduled', 'Successfully assigned team/web to n1');
  assert.equal(calls.length, 26, 'another object has its own bucket');
  now += 300_000;
  await rec.record(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-1-40');
  await rec.record(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-1-41');
  assert.equal(calls.length, 27);
});
