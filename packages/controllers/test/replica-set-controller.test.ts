// Issue 15: the ReplicaSet/ReplicationController controller against an in-memory apiserver — keeps `replicas`
// pods, replaces deleted ones with new pods, never double-creates on a stale cache, adopts and releases, deletes
// in Kubernetes' ranking order, and reports ready/available counts with minReadySeconds.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { KubeObject, Pod } from '@podling/api';
import type { ResourceRef, WatchEventOf, WatchQuery } from '@podling/client';
import { waitFor } from '@podling/testkit';
import { REPLICATION_CONTROLLER, ReplicaSetController } from '../src/replica-set-controller.ts';
import { SharedInformers } from '../src/shared-informers.ts';
import type { ReplicaSet } from '../src/workload-types.ts';
import { FakeCluster } from './fake-cluster.ts';

const log = pino({ level: 'silent' });
const running: ReplicaSetController[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((c) => c.stop())); });

async function start(cluster: FakeCluster, rc = false): Promise<ReplicaSetController> {
  const c = new ReplicaSetController({ client: cluster, logger: log, informers: new SharedInformers(cluster, log), flavour: rc ? REPLICATION_CONTROLLER : undefined });
  running.push(c);
  await c.start();
  return c;
}

function rs(name: string, replicas: number, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'i', command: ['sleep', '1'] }] } }, ...extra },
  } as ReplicaSet;
}

const podsOf = (c: FakeCluster, app: string) => c.objectsOf<Pod>('pods', 'default').filter((p) => p.metadata.labels?.app === app);

function markReady(c: FakeCluster, p: Pod, at = new Date(c.now())): Promise<Pod> {
  return c.patchStatus<Pod>({ resource: 'pods', namespace: 'default' }, p.metadata.name!, {
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at.toISOString().replace(/\.\d+Z$/, 'Z') }] },
  });
}

test('a ReplicaSet creates its replicas from the template, each controlled by the set', async () => {
  const cluster = new FakeCluster();
  await start(cluster);
  const set = await cluster.create({ resource: 'replicasets', namespace: 'default' }, rs('web', 3));
  const pods = await waitFor(() => podsOf(cluster, 'web').length === 3 && podsOf(cluster, 'web'), { timeoutMs: 5000, message: '3 pods' });
  for (const p of pods) {
    assert.match(p.metadata.name!, /^web-/);
    assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  }
  await waitFor(async () => (await cluster.get<ReplicaSet>({ resource: 'replicasets', namespace: 'default' }, 'web')).status?.replicas === 3, { timeoutMs: 5000, message: 'status.replicas 3' });
});

test('a deleted pod is replaced by a new pod with a new UID', async () => {
  const cluster = new FakeCluster();
  await start(cluster);
  await cluster.create({ resource: 'replicasets', namespace: 'default' }, rs('web', 2));
  const before = await waitFor(() => podsOf(cluster, 'web').length === 2 && podsOf(cluster, 'web'), { timeoutMs: 5000, message: '2 pods' });
  await cluster.delete({ resource: 'pods', namespace: 'default' }, before[0].metadata.name!);
  const after = await waitFor(() => {
    const now = podsOf(cluster, 'web');
    return now.length === 2 && !now.some((p) => p.metadata.uid === before[0].metadata.uid) && now;
  }, { timeoutMs: 5000, message: 'replacement' });
  assert.equal(after.filter((p) => p.metadata.uid === before[1].metadata.uid).length, 1);
});

test('a failed pod stops counting and is replaced; it is not deleted by the set', async () => {
  const cluster = new FakeCluster();
  await start(cluster);
  await cluster.create({ resource: 'replicasets', namespace: 'default' }, rs('job', 1));
  const [first] = await waitFor(() => podsOf(cluster, 'job').length === 1 && podsOf(cluster, 'job'), { timeoutMs: 5000, message: '1 pod' });
  await cluster.patchStatus({ resource: 'pods', namespace: 'default' }, first.metadata.name!, { status: { phase: 'Failed' } });
  await waitFor(() => podsOf(cluster, 'job').length === 2, { timeoutMs: 5000, message: 'replacement next to the failed pod' });
});

test('expectations: a cache that lags the creates never causes a second round of creates', async () => {
  const cluster = new FakeCluster();
  // Hold back every pod watch event until the set has had many chances to resync.
  const held: (() => void)[] = [];
  const watch = cluster.watch.bind(cluster);
  cluster.watch = ((ref: ResourceRef, q: WatchQuery, fn: (ev: WatchEventOf<KubeObject>) => void) =>
    watch(ref, q, (ev) => { if (ref.resource === 'pods') held.push(() => fn(ev)); else fn(ev); })) as typeof cluster.watch;
  const c = await start(cluster);
  await cluster.create({ resource: 'replicasets', namespace: 'default' }, rs('web', 5));
  await waitFor(() => podsOf(cluster, 'web').length === 5, { timeoutMs: 5000, message: '5 creates' });
  for (let i = 0; i < 20; i++) { c.queue.add('default/web'); await new Promise((r) => setImmediate(r)); }
  assert.equal(podsOf(cluster, 'web').length, 5);
  for (const h of held.splice(0)) h();
  cluster.watch = watch;
  assert.equal(cluster.requests.filter((r) => r === 'create pods').length, 5);
});

test('scale-down deletes unscheduled, then pending, then not-ready pods first', async () => {
  const cluster = new FakeCluster();
  await start(cluster);
  await cluster.create({ resource: 'replicasets', namespace: 'default' }, rs('web', 4));
  const pods = await waitFor(() => podsOf(cluster, 'web').length === 4 && podsOf(cluster, 'web'), { timeoutMs: 5000, message: '4 pods' });
  const ref = { resource: 'pods', namespace: 'default' };
  // pods[0]: unscheduled; pods[1]: scheduled Pending; pods[2]: Running not ready; pods[3]: Running and Ready.
  for (const p of pods.slice(1)) await cluster.patch(ref, p.metadata.name!, { spec: { nodeName: 'n1' } });
  await cluster.patchStatus(ref, pods[2].metadata.name!, { status: { phase: 'Running' } });
  await markReady(cluster, pods[3]);
  const keep = async (n: number, names: string[]) => {
    await cluster.patch({ resource: 'replicasets', namespace: 'default' }, 'web', { spec: { replicas: n } });
    await waitFor(() => podsOf(cluster, 'web').map((p) => p.metadata.name).sort().join() === [...names].sort().join(), { timeoutMs: 5000, message: `kept ${names}` });
  };
  await keep(3, pods.slice(1).map((p) => p.metadata.name!));
  await keep(2, pods.slice(2).map((p) => p.metadata.name!));
  await keep(1, [pods[3].metadata.name!]);
});

test('an orphan matching the selector is adopted; a pod whose labels stop matching is released', async () => {
  const cluster = new FakeCluster();
  const ref = { resource: 'pods', namespace: 'default' };
  const orphan = await cluster.create<Pod>(ref, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  await start(cluster);
  const set = await cluster.create({ resource: 'replicasets', namespace: 'default' }, rs('web', 2));
  await waitFor(async () => (await cluster.get<Pod>(ref, 'stray')).metadata.ownerReferences?.[0]?.uid === set.metadata.uid, { timeoutMs: 5000, message: 'adopted' });
  await waitFor(() => podsOf(cluster, 'web').length === 2, { timeoutMs: 5000, message: 'only one new pod next to the adopted one' });
  assert.equal(podsOf(cluster, 'web').filter((p) => p.metadata.uid === orphan.metadata.uid).length, 1);
  await cluster.patch(ref, 'stray', { metadata: { labels: { app: 'other' } } });
  await waitFor(async () => !(await cluster.get<Pod>(ref, 'stray')).metadata.ownerReferences?.length, { timeoutMs: 5000, message: 'released' });
  await waitFor(() => podsOf(cluster, 'web').length === 2, { timeoutMs: 5000, message: 'a replacement for the released pod' });
});

test('issue 18: a sync reads the pods the set controls and the orphans of its namespace, never a pod elsewhere that names it', async () => {
  const cluster = new FakeCluster();
  await start(cluster);
  const set = await cluster.create<ReplicaSet>({ resource: 'replicasets', namespace: 'default' }, rs('web', 2));
  await waitFor(() => podsOf(cluster, 'web').length === 2, { timeoutMs: 5000, message: '2 pods' });
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: set.metadata.uid!, controller: true };
  await cluster.create<Pod>({ resource: 'pods', namespace: 'other' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'impostor', namespace: 'other', labels: { app: 'web' }, ownerReferences: [owner] }, spec: { containers: [{ name: 'c', image: 'i' }] },
  });
  await cluster.patch({ resource: 'replicasets', namespace: 'default' }, 'web', { metadata: { annotations: { resync: '1' } } });
  await waitFor(async () => (await cluster.get<ReplicaSet>({ resource: 'replicasets', namespace: 'default' }, 'web')).status?.replicas === 2, { timeoutMs: 5000, message: 'status.replicas 2' });
  await cluster.patch({ resource: 'replicasets', namespace: 'default' }, 'web', { spec: { replicas: 3 } });
  await waitFor(() => podsOf(cluster, 'web').length === 3, { timeoutMs: 5000, message: 'a third pod in default: the impostor does not count' });
});

test('readyReplicas and availableReplicas: available only after minReadySeconds', async () => {
  const cluster = new FakeCluster();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  cluster.now = () => clock;
  const c = new ReplicaSetController({ client: cluster, logger: log, informers: new SharedInformers(cluster, log), now: () => clock });
  running.push(c);
  await c.start();
  await cluster.create({ resource: 'replicasets', namespace: 'default' }, rs('web', 2, { minReadySeconds: 10 }));
  const pods = await waitFor(() => podsOf(cluster, 'web').length === 2 && podsOf(cluster, 'web'), { timeoutMs: 5000, message: '2 pods' });
  for (const p of pods) await markReady(cluster, p);
  const status = async () => (await cluster.get<ReplicaSet>({ resource: 'replicasets', namespace: 'default' }, 'web')).status;
  await waitFor(async () => (await status())?.readyReplicas === 2, { timeoutMs: 5000, message: 'ready 2' });
  assert.equal((await status())?.availableReplicas, 0);
  clock += 11_000;
  c.queue.add('default/web');
  await waitFor(async () => (await status())?.availableReplicas === 2, { timeoutMs: 5000, message: 'available 2' });
});

test('a ReplicationController keeps its replicas with a map selector', async () => {
  const cluster = new FakeCluster();
  await start(cluster, true);
  await cluster.create({ resource: 'replicationcontrollers', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'old' },
    spec: { replicas: 2, selector: { app: 'old' }, template: { metadata: { labels: { app: 'old' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  });
  const pods = await waitFor(() => podsOf(cluster, 'old').length === 2 && podsOf(cluster, 'old'), { timeoutMs: 5000, message: '2 pods' });
  assert.equal(pods[0].metadata.ownerReferences?.[0]?.kind, 'ReplicationController');
});
