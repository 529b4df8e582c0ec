// Issue 15: the StatefulSet controller against an in-memory apiserver — ordinal names with their hostname,
// subdomain and labels; OrderedReady creates the next pod only once the previous one is Running and Ready and
// scales down from the highest ordinal; Parallel does not wait; a deleted pod comes back under its name with a
// new UID; RollingUpdate in reverse ordinal order down to the partition; OnDelete; revisions in status.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { SharedInformers } from '../src/shared-informers.ts';
import { StatefulSetController } from '../src/stateful-set-controller.ts';
import type { StatefulSet } from '../src/workload-types.ts';
import { FakeCluster } from './fake-cluster.ts';

const log = pino({ level: 'silent' });
const running: StatefulSetController[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((c) => c.stop())); });
const STS = { resource: 'statefulsets', namespace: 'default' };
const P = { resource: 'pods', namespace: 'default' };

/** A cluster whose "kubelet" makes each new pod Running and Ready — at once when `auto`, else on markReady. */
async function cluster(auto = true): Promise<{ c: FakeCluster; markReady: (name: string) => Promise<void> }> {
  const c = new FakeCluster();
  const markReady = async (name: string) => {
    await c.patchStatus(P, name, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] } }).catch(() => undefined);
  };
  c.onWrite = (verb, resource, obj) => {
    if (resource === 'pods' && verb === 'ADDED') { if (auto) setImmediate(() => void markReady(obj.metadata.name!)); else void c.patchStatus(P, obj.metadata.name!, { status: { phase: 'Pending' } }); }
  };
  const ctl = new StatefulSetController({ client: c, logger: log, informers: new SharedInformers(c, log) });
  running.push(ctl);
  await ctl.start();
  return { c, markReady };
}

function sts(replicas: number, extra: Partial<StatefulSet['spec']> = {}, image = 'db:1'): StatefulSet {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'x', namespace: 'default' },
    spec: {
      replicas, serviceName: 'x-svc', selector: { matchLabels: { app: 'x' } }, podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'db', image, command: ['sleep', '1'] }] } }, ...extra,
    },
  } as StatefulSet;
}

/** The pods deleted since the event log had `from` entries, in order. */
const deletions = (c: FakeCluster, from = 0) => c.log.slice(from).filter((e) => e.resource === 'pods' && e.type === 'DELETED').map((e) => e.object.metadata.name);
const names = (c: FakeCluster) => c.objectsOf<Pod>('pods', 'default').map((p) => p.metadata.name).sort().join();
const pod = (c: FakeCluster, name: string) => c.get<Pod>(P, name);
const status = async (c: FakeCluster) => (await c.get<StatefulSet>(STS, 'x')).status;
const image = (p: Pod) => p.spec.containers[0].image;
const setImage = (c: FakeCluster, img: string) => c.patch(STS, 'x', { spec: { template: { spec: { containers: [{ name: 'db', image: img, command: ['sleep', '1'] }] } } } });

test('OrderedReady: x-1 is created only after x-0 is Running and Ready; pods carry their identity', async () => {
  const { c, markReady } = await cluster(false);
  const set = await c.create(STS, sts(3));
  // A sync that saw x-0 (Pending) has written status after deciding: it must not have created x-1.
  await waitFor(async () => (await status(c))?.replicas === 1, { timeoutMs: 5000, message: 'a sync that saw x-0' });
  assert.equal(names(c), 'x-0');
  const p0 = await pod(c, 'x-0');
  assert.equal(p0.spec.hostname, 'x-0');
  assert.equal(p0.spec.subdomain, 'x-svc');
  const rev = (await status(c))?.updateRevision;
  assert.deepEqual(p0.metadata.labels, { app: 'x', 'statefulset.kubernetes.io/pod-name': 'x-0', 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': rev });
  assert.equal(p0.metadata.ownerReferences?.[0]?.uid, set.metadata.uid);
  await markReady('x-0');
  await waitFor(() => names(c) === 'x-0,x-1', { timeoutMs: 5000, message: 'x-1 after x-0 is ready' });
  await markReady('x-1');
  await waitFor(() => names(c) === 'x-0,x-1,x-2', { timeoutMs: 5000, message: 'x-2 after x-1 is ready' });
  await markReady('x-2');
  await waitFor(async () => (await status(c))?.readyReplicas === 3, { timeoutMs: 5000, message: '3 ready' });
  const s = await status(c);
  assert.equal(s?.currentRevision, rev);
  assert.deepEqual([s?.replicas, s?.currentReplicas, s?.updatedReplicas, s?.availableReplicas, s?.observedGeneration], [3, 3, 3, 3, 1]);
});

test('Parallel creates every pod at once', async () => {
  const { c } = await cluster(false);
  await c.create(STS, sts(3, { podManagementPolicy: 'Parallel' }));
  await waitFor(() => names(c) === 'x-0,x-1,x-2', { timeoutMs: 5000, message: 'three pods without readiness' });
});

test('scale-down deletes from the highest ordinal, one at a time', async () => {
  const { c } = await cluster();
  await c.create(STS, sts(4));
  await waitFor(async () => (await status(c))?.readyReplicas === 4, { timeoutMs: 5000, message: '4 ready' });
  await c.patch(STS, 'x', { spec: { replicas: 1 } });
  await waitFor(() => names(c) === 'x-0', { timeoutMs: 5000, message: 'only x-0 left' });
  assert.deepEqual(deletions(c), ['x-3', 'x-2', 'x-1']);
});

test('a deleted pod comes back under the same name with a new UID', async () => {
  const { c } = await cluster();
  await c.create(STS, sts(2));
  await waitFor(async () => (await status(c))?.readyReplicas === 2, { timeoutMs: 5000, message: '2 ready' });
  const before = await pod(c, 'x-1');
  await c.delete(P, 'x-1');
  const after = await waitFor(async () => { const p = await pod(c, 'x-1').catch(() => undefined); return p && p.metadata.uid !== before.metadata.uid && p; }, { timeoutMs: 5000, message: 'x-1 again' });
  assert.equal(after.spec.hostname, 'x-1');
});

test('RollingUpdate updates in reverse ordinal order down to the partition; partition 0 completes it', async () => {
  const { c } = await cluster();
  await c.create(STS, sts(3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
  await waitFor(async () => (await status(c))?.readyReplicas === 3, { timeoutMs: 5000, message: '3 ready' });
  const first = (await status(c))!.currentRevision;
  const from = c.log.length;
  await setImage(c, 'db:2');
  await waitFor(async () => (await status(c))?.updatedReplicas === 2 && (await status(c))?.readyReplicas === 3, { timeoutMs: 5000, message: 'x-2 and x-1 updated' });
  assert.deepEqual(deletions(c, from), ['x-2', 'x-1']);
  assert.equal(image(await pod(c, 'x-0')), 'db:1');
  const s = await status(c);
  assert.equal(s?.currentRevision, first);
  assert.notEqual(s?.updateRevision, first);
  await c.patch(STS, 'x', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
  await waitFor(async () => (await status(c))?.currentRevision === s?.updateRevision, { timeoutMs: 5000, message: 'rollout complete' });
  assert.equal(image(await pod(c, 'x-0')), 'db:2');
  assert.equal((await status(c))?.currentReplicas, 3);
});

test('OnDelete: pods change only when deleted; a recreated pod gets the new template', async () => {
  const { c } = await cluster();
  await c.create(STS, sts(2, { updateStrategy: { type: 'OnDelete' } }));
  await waitFor(async () => (await status(c))?.readyReplicas === 2, { timeoutMs: 5000, message: '2 ready' });
  await setImage(c, 'db:2');
  await waitFor(async () => (await status(c))?.observedGeneration === 2, { timeoutMs: 5000, message: 'generation 2 observed' });
  assert.equal((await status(c))?.updatedReplicas, 0);
  await c.delete(P, 'x-0');
  await waitFor(async () => image(await pod(c, 'x-0').catch(() => ({ spec: { containers: [{}] } }) as Pod)) === 'db:2', { timeoutMs: 5000, message: 'x-0 recreated at db:2' });
  assert.equal(image(await pod(c, 'x-1')), 'db:1');
});

test('issue 18: a sync adopts an orphan of its namespace and never counts a pod elsewhere that names it', async () => {
  const { c } = await cluster();
  const stray = await c.create<Pod>(P, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x-0', namespace: 'default', labels: { app: 'x' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } });
  const set = await c.create<StatefulSet>(STS, sts(1));
  // Adopted, then (its template differs) replaced under the same name: the adoption is a write of the same UID.
  await waitFor(() => c.log.some((e) => e.resource === 'pods' && e.object.metadata.uid === stray.metadata.uid && e.object.metadata.ownerReferences?.[0]?.uid === set.metadata.uid), { timeoutMs: 5000, message: 'x-0 adopted' });
  const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'x', uid: set.metadata.uid!, controller: true };
  await c.create({ resource: 'pods', namespace: 'other' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x-1', namespace: 'other', labels: { app: 'x' }, ownerReferences: [owner] }, spec: { containers: [{ name: 'db', image: 'db:1' }] },
  });
  await c.patch(STS, 'x', { spec: { replicas: 2 } });
  await waitFor(() => names(c) === 'x-0,x-1', { timeoutMs: 5000, message: 'x-1 made in default: the one elsewhere is not its pod' });
  await waitFor(async () => (await status(c))?.replicas === 2, { timeoutMs: 5000, message: 'status.replicas 2' });
});
