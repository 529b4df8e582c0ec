// Issue 15: the DaemonSet controller against an in-memory apiserver — one pod per eligible node (nodeSelector,
// taints, the automatic daemon tolerations), pinned by a metadata.name field affinity; nodes that join get a pod,
// nodes that stop qualifying or leave lose it; RollingUpdate within maxUnavailable, or with maxSurge; OnDelete;
// ControllerRevisions and the status counts kubectl rollout status reads.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { ControllerRevision, Node, Pod, Taint } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { DaemonSetController } from '../src/daemon-set-controller.ts';
import { pinnedNodeName } from '../src/node-affinity.ts';
import { SharedInformers } from '../src/shared-informers.ts';
import type { DaemonSet } from '../src/workload-types.ts';
import { FakeCluster } from './fake-cluster.ts';

const log = pino({ level: 'silent' });
const running: DaemonSetController[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((c) => c.stop())); });
const DS = { resource: 'daemonsets', namespace: 'default' };
const P = { resource: 'pods', namespace: 'default' };
const stamp = (t: number) => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');

/** A cluster whose "scheduler + kubelet" bind every pinned pod and make it Ready, unless `ready` says not yet. */
async function cluster(nodes: Node[], ready: (p: Pod) => boolean = () => true): Promise<{ c: FakeCluster; ctl: DaemonSetController; release: () => void }> {
  const c = new FakeCluster();
  for (const n of nodes) await c.create({ resource: 'nodes' }, n);
  const held: Pod[] = [];
  const run = async (p: Pod) => {
    await c.patch(P, p.metadata.name!, { spec: { nodeName: pinnedNodeName(p) } }).catch(() => undefined);
    await c.patchStatus(P, p.metadata.name!, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: stamp(c.now()) }] } }).catch(() => undefined);
  };
  c.onWrite = (verb, resource, obj) => {
    if (verb !== 'ADDED' || resource !== 'pods') return;
    const p = obj as Pod;
    if (ready(p)) setImmediate(() => void run(p)); else held.push(p);
  };
  const ctl = new DaemonSetController({ client: c, logger: log, informers: new SharedInformers(c, log) });
  running.push(ctl);
  await ctl.start();
  return { c, ctl, release: () => { for (const p of held.splice(0)) void run(p); } };
}

function node(name: string, o: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: o.labels }, spec: { taints: o.taints, unschedulable: o.unschedulable }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
}

function ds(name: string, extra: Partial<DaemonSet['spec']> = {}, image = 'i:1'): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image, command: ['sleep', '1'] }] } }, ...extra,
    },
  } as DaemonSet;
}

const live = (c: FakeCluster) => c.objectsOf<Pod>('pods', 'default').filter((p) => !p.metadata.deletionTimestamp);
const nodesOf = (pods: Pod[]) => pods.map((p) => pinnedNodeName(p)).sort();
const status = async (c: FakeCluster, name = 'agent') => (await c.get<DaemonSet>(DS, name)).status;

test('one pod per eligible node, pinned by a metadata.name field affinity, with the daemon tolerations', async () => {
  const { c } = await cluster([
    node('plain', { labels: { role: 'edge' } }), node('other-role', { labels: { role: 'core' } }),
    node('tainted', { labels: { role: 'edge' }, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
    node('cordoned', { labels: { role: 'edge' }, unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }),
    node('unreachable', { labels: { role: 'edge' }, taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }),
  ]);
  const set = await c.create(DS, ds('agent', { template: { ...ds('agent').spec.template, spec: { ...ds('agent').spec.template.spec!, nodeSelector: { role: 'edge' } } } }));
  await waitFor(() => nodesOf(live(c)).join() === 'cordoned,plain,unreachable', { timeoutMs: 5000, message: 'pods on the three eligible nodes' });
  const [pod] = live(c);
  assert.deepEqual(pod.metadata.ownerReferences?.[0], { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true });
  assert.match(pod.metadata.generateName!, /^agent-$/);
  assert.deepEqual(pod.spec.tolerations?.map((t) => `${t.key}:${t.effect}`), [
    'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
    'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
  ]);
  const [rev] = c.objectsOf<ControllerRevision>('controllerrevisions', 'default');
  assert.equal(pod.metadata.labels?.['controller-revision-hash'], rev.metadata.labels?.['controller-revision-hash']);
  assert.equal(rev.metadata.name, `agent-${rev.metadata.labels?.['controller-revision-hash']}`);
  assert.equal(rev.revision, 1);
  await waitFor(async () => (await status(c))?.numberAvailable === 3, { timeoutMs: 5000, message: '3 available' });
  assert.deepEqual(await status(c), {
    currentNumberScheduled: 3, numberMisscheduled: 0, desiredNumberScheduled: 3, numberReady: 3, observedGeneration: 1,
    updatedNumberScheduled: 3, numberAvailable: 3, numberUnavailable: 0,
  });
});

test('a node that joins gets a pod; one tainted NoExecute or that leaves loses it', async () => {
  const { c } = await cluster([node('a'), node('b')], (p) => pinnedNodeName(p) !== 'gone');
  await c.create(DS, ds('agent'));
  await waitFor(() => nodesOf(live(c)).join() === 'a,b', { timeoutMs: 5000, message: 'pods on a and b' });
  await c.create({ resource: 'nodes' }, node('c'));
  await c.create({ resource: 'nodes' }, node('gone'));
  await waitFor(() => nodesOf(live(c)).join() === 'a,b,c,gone', { timeoutMs: 5000, message: 'pods on the new nodes' });
  // 'gone' leaves before its pod is scheduled: the pinned pod can never run and is deleted.
  await c.delete({ resource: 'nodes' }, 'gone');
  await c.patch({ resource: 'nodes' }, 'b', { spec: { taints: [{ key: 'evict', effect: 'NoExecute' }] } });
  await waitFor(() => nodesOf(live(c)).join() === 'a,c', { timeoutMs: 5000, message: 'pods on b and gone deleted' });
  await waitFor(async () => (await status(c))?.desiredNumberScheduled === 2 && (await status(c))?.currentNumberScheduled === 2, { timeoutMs: 5000, message: 'status follows' });
});

test('RollingUpdate with maxUnavailable 1 replaces one node at a time and waits while the new pod is unavailable', async () => {
  let gate = true;
  const { c, release } = await cluster([node('a'), node('b'), node('c')], (p) => p.spec.containers[0].image === 'i:1' || !gate);
  await c.create(DS, ds('agent'));
  await waitFor(async () => (await status(c))?.numberAvailable === 3, { timeoutMs: 5000, message: '3 available' });
  await c.patch(DS, 'agent', { spec: { template: { spec: { containers: [{ name: 'c', image: 'i:2', command: ['sleep', '1'] }] } } } });
  // New pods are held not-ready: exactly one node is being replaced and the rollout waits there.
  await waitFor(() => live(c).filter((p) => p.spec.containers[0].image === 'i:2').length === 1, { timeoutMs: 5000, message: 'one new pod' });
  assert.equal(live(c).filter((p) => p.spec.containers[0].image === 'i:1').length, 2);
  assert.equal(c.objectsOf<ControllerRevision>('controllerrevisions', 'default').length, 2);
  gate = false;
  release();
  await waitFor(async () => (await status(c))?.updatedNumberScheduled === 3 && (await status(c))?.numberAvailable === 3, { timeoutMs: 5000, message: 'rolled out' });
  assert.deepEqual(live(c).map((p) => p.spec.containers[0].image), ['i:2', 'i:2', 'i:2']);
});

test('RollingUpdate with maxSurge 1 starts the new pod beside the old one and deletes the old once available', async () => {
  let gate = true;
  const { c, release } = await cluster([node('a'), node('b')], (p) => p.spec.containers[0].image === 'i:1' || !gate);
  await c.create(DS, ds('agent', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }));
  await waitFor(async () => (await status(c))?.numberAvailable === 2, { timeoutMs: 5000, message: '2 available' });
  await c.patch(DS, 'agent', { spec: { template: { spec: { containers: [{ name: 'c', image: 'i:2', command: ['sleep', '1'] }] } } } });
  await waitFor(() => live(c).length === 3, { timeoutMs: 5000, message: 'one surge pod' });
  const doubled = nodesOf(live(c)).filter((n, i, all) => all.indexOf(n) !== i);
  assert.equal(doubled.length, 1, 'the surge pod runs beside an old pod on one node');
  gate = false;
  release();
  await waitFor(() => live(c).length === 2 && live(c).every((p) => p.spec.containers[0].image === 'i:2'), { timeoutMs: 5000, message: 'rolled out' });
});

test('OnDelete: a template change replaces only pods the user deletes', async () => {
  const { c } = await cluster([node('a'), node('b')]);
  await c.create(DS, ds('agent', { updateStrategy: { type: 'OnDelete' } }));
  await waitFor(async () => (await status(c))?.numberAvailable === 2, { timeoutMs: 5000, message: '2 available' });
  await c.patch(DS, 'agent', { spec: { template: { spec: { containers: [{ name: 'c', image: 'i:2', command: ['sleep', '1'] }] } } } });
  await waitFor(async () => (await status(c))?.observedGeneration === 2, { timeoutMs: 5000, message: 'generation 2 observed' });
  assert.equal((await status(c))?.updatedNumberScheduled, 0);
  const victim = live(c).find((p) => pinnedNodeName(p) === 'a')!;
  await c.delete(P, victim.metadata.name!);
  await waitFor(() => live(c).some((p) => pinnedNodeName(p) === 'a' && p.spec.containers[0].image === 'i:2'), { timeoutMs: 5000, message: 'a replaced at i:2' });
  await waitFor(async () => (await status(c))?.updatedNumberScheduled === 1, { timeoutMs: 5000, message: 'one updated' });
  assert.equal(live(c).find((p) => pinnedNodeName(p) === 'b')?.spec.containers[0].image, 'i:1');
});

test('issue 18: a sync adopts an orphan of its namespace and never counts a pod elsewhere that names it', async () => {
  const { c } = await cluster([node('a')]);
  const set = await c.create<DaemonSet>(DS, ds('agent'));
  const [first] = await waitFor(() => live(c).length === 1 && live(c), { timeoutMs: 5000, message: 'a pod on a' });
  // Released by hand, the pod is an orphan of the namespace that still matches: the next sync takes it back.
  await c.patch(P, first.metadata.name!, { metadata: { ownerReferences: null } });
  await waitFor(async () => (await c.get<Pod>(P, first.metadata.name!)).metadata.ownerReferences?.[0]?.uid === set.metadata.uid, { timeoutMs: 5000, message: 'adopted again' });
  assert.deepEqual(live(c).map((p) => p.metadata.uid), [first.metadata.uid], 'no second pod for a');
  // A pod of another namespace that names the set as its controller, on the node that joins next, is not its pod.
  const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: set.metadata.uid!, controller: true };
  await c.create({ resource: 'pods', namespace: 'other' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'impostor', namespace: 'other', labels: { app: 'agent' }, ownerReferences: [owner] },
    spec: { nodeName: 'b', containers: [{ name: 'c', image: 'i:1' }] },
  });
  await c.create({ resource: 'nodes' }, node('b'));
  await waitFor(() => nodesOf(live(c)).join() === 'a,b', { timeoutMs: 5000, message: 'a pod of its own on b' });
  assert.ok(await c.get<Pod>({ resource: 'pods', namespace: 'other' }, 'impostor'), 'the impostor is left alone');
});
