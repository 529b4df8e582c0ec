// Issue 15: the Deployment controller with the ReplicaSet controller against an in-memory apiserver whose pods a
// fake kubelet marks Ready as soon as they exist: revisions and pod-template-hash, rolling updates that keep
// availability within maxUnavailable and the pod count within maxSurge at every step, Recreate, scaling, pause and
// resume, rollback to an old template, history limits, and the progress deadline.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { DeploymentController } from '../src/deployment-controller.ts';
import { ReplicaSetController } from '../src/replica-set-controller.ts';
import { SharedInformers } from '../src/shared-informers.ts';
import type { Deployment, ReplicaSet } from '../src/workload-types.ts';
import { FakeCluster } from './fake-cluster.ts';

const log = pino({ level: 'silent' });
const stops: (() => Promise<void>)[] = [];
afterEach(async () => { for (const s of stops.splice(0)) await s(); });
const D = { resource: 'deployments', namespace: 'default' };
const RS = { resource: 'replicasets', namespace: 'default' };
const P = { resource: 'pods', namespace: 'default' };

/** A cluster whose pods become Running and Ready right after they are created (unless `ready` says no). */
async function cluster(opts: { ready?: (p: Pod) => boolean; now?: () => number } = {}): Promise<FakeCluster> {
  const c = new FakeCluster();
  if (opts.now) c.now = opts.now;
  c.onWrite = (verb, resource, obj) => {
    if (verb !== 'ADDED' || resource !== 'pods' || !(opts.ready ?? (() => true))(obj as Pod)) return;
    queueMicrotask(() => void c.patchStatus(P, obj.metadata.name!, {
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(c.now()).toISOString().replace(/\.\d+Z$/, 'Z') }] },
    }).catch(() => {}));
  };
  const informers = new SharedInformers(c, log);
  const rsc = new ReplicaSetController({ client: c, logger: log, informers, now: opts.now });
  const dc = new DeploymentController({ client: c, logger: log, informers, now: opts.now });
  await Promise.all([rsc.start(), dc.start()]);
  stops.push(() => dc.stop(), () => rsc.stop());
  return c;
}

function deployment(name: string, replicas: number, image = 'web:1', spec: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } }, ...spec },
  } as Deployment;
}

const get = (c: FakeCluster, name: string) => c.get<Deployment>(D, name);
const replicaSets = (c: FakeCluster) => c.objectsOf<ReplicaSet>('replicasets', 'default');
const readyPods = (c: FakeCluster) => c.objectsOf<Pod>('pods', 'default').filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));

async function rolledOut(c: FakeCluster, name: string, replicas: number): Promise<Deployment> {
  return waitFor(async () => {
    const d = await get(c, name);
    const s = d.status;
    return s?.observedGeneration === d.metadata.generation && s?.updatedReplicas === replicas && s?.replicas === replicas && s?.availableReplicas === replicas
      && s.conditions?.some((x) => x.type === 'Progressing' && x.reason === 'NewReplicaSetAvailable') && d;
  }, { timeoutMs: 10_000, message: `${name} rolled out with ${replicas} replicas` });
}

async function setImage(c: FakeCluster, name: string, image: string): Promise<void> {
  await c.patch(D, name, { spec: { template: { spec: { containers: [{ name: 'web', image }] } } } });
}

test('a Deployment makes one ReplicaSet named after its template hash, at revision 1, and reports availability', async () => {
  const c = await cluster();
  await c.create(D, deployment('web', 3));
  const d = await rolledOut(c, 'web', 3);
  const [rs] = replicaSets(c);
  const hash = rs.metadata.labels!['pod-template-hash'];
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.deepEqual(rs.spec.selector?.matchLabels, { app: 'web', 'pod-template-hash': hash });
  assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
  assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  assert.equal(d.status?.conditions?.find((x) => x.type === 'Available')?.status, 'True');
  assert.equal(readyPods(c).length, 3);
});

test('a rolling update never drops below replicas − maxUnavailable available nor exceeds replicas + maxSurge pods', async () => {
  const c = await cluster();
  await c.create(D, deployment('web', 4, 'web:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }));
  await rolledOut(c, 'web', 4);
  let minReady = Infinity, maxPods = 0;
  const watch = c.onWrite;
  c.onWrite = (verb, resource, obj) => {
    watch(verb, resource, obj);
    if (resource !== 'pods') return;
    minReady = Math.min(minReady, readyPods(c).length);
    maxPods = Math.max(maxPods, c.objectsOf('pods', 'default').length);
  };
  await setImage(c, 'web', 'web:2');
  await rolledOut(c, 'web', 4);
  assert.ok(minReady >= 3, `available dropped to ${minReady}`);
  assert.ok(maxPods <= 5, `${maxPods} pods at once`);
  const sets = replicaSets(c);
  assert.equal(sets.length, 2);
  const byRev = Object.fromEntries(sets.map((rs) => [rs.metadata.annotations?.['deployment.kubernetes.io/revision'], rs.spec.replicas]));
  assert.deepEqual(byRev, { 1: 0, 2: 4 });
  assert.ok(c.objectsOf<Pod>('pods', 'default').every((p) => p.spec.containers[0].image === 'web:2'));
});

test('rolling back to an old template reuses its ReplicaSet as the newest revision', async () => {
  const c = await cluster();
  await c.create(D, deployment('web', 2));
  await rolledOut(c, 'web', 2);
  const first = replicaSets(c)[0].metadata.name;
  await setImage(c, 'web', 'web:2');
  await rolledOut(c, 'web', 2);
  await setImage(c, 'web', 'web:1');
  const d = await rolledOut(c, 'web', 2);
  const rs = await c.get<ReplicaSet>(RS, first!);
  assert.equal(rs.spec.replicas, 2);
  assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  assert.equal(replicaSets(c).length, 2);
});

test('Recreate removes every old pod before the new ReplicaSet creates any', async () => {
  const c = await cluster();
  await c.create(D, deployment('web', 3, 'web:1', { strategy: { type: 'Recreate' } }));
  await rolledOut(c, 'web', 3);
  let overlap = false;
  const watch = c.onWrite;
  c.onWrite = (verb, resource, obj) => {
    watch(verb, resource, obj);
    const images = new Set(c.objectsOf<Pod>('pods', 'default').map((p) => p.spec.containers[0].image));
    if (images.size > 1) overlap = true;
  };
  await setImage(c, 'web', 'web:2');
  await rolledOut(c, 'web', 3);
  assert.equal(overlap, false);
});

test('scaling changes the active ReplicaSet and its desired-replicas annotation', async () => {
  const c = await cluster();
  await c.create(D, deployment('web', 2));
  await rolledOut(c, 'web', 2);
  await c.patch(D, 'web', { spec: { replicas: 5 } });
  await rolledOut(c, 'web', 5);
  assert.equal(replicaSets(c)[0].metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '5');
  await c.patch(D, 'web', { spec: { replicas: 1 } });
  await rolledOut(c, 'web', 1);
  assert.equal(c.objectsOf('pods', 'default').length, 1);
});

test('a paused Deployment does not roll out a new template until resumed', async () => {
  const c = await cluster();
  await c.create(D, deployment('web', 2));
  await rolledOut(c, 'web', 2);
  await c.patch(D, 'web', { spec: { paused: true } });
  await waitFor(async () => (await get(c, 'web')).status?.conditions?.some((x) => x.type === 'Progressing' && x.reason === 'DeploymentPaused'), { timeoutMs: 5000, message: 'paused condition' });
  await setImage(c, 'web', 'web:2');
  await waitFor(async () => { const d = await get(c, 'web'); return d.status?.observedGeneration === d.metadata.generation; }, { timeoutMs: 5000, message: 'observed' });
  assert.equal(replicaSets(c).length, 1);
  await c.patch(D, 'web', { spec: { paused: null } });
  await rolledOut(c, 'web', 2);
  assert.equal(replicaSets(c).length, 2);
});

test('revisionHistoryLimit keeps only that many old ReplicaSets', async () => {
  const c = await cluster();
  await c.create(D, deployment('web', 1, 'web:1', { revisionHistoryLimit: 1 }));
  for (const image of ['web:2', 'web:3', 'web:4']) {
    await rolledOut(c, 'web', 1);
    await setImage(c, 'web', image);
  }
  await rolledOut(c, 'web', 1);
  await waitFor(() => replicaSets(c).length === 2, { timeoutMs: 5000, message: 'two ReplicaSets left' });
  const revisions = replicaSets(c).map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision']).sort();
  assert.deepEqual(revisions, ['3', '4']);
});

test('a rollout that makes no progress for progressDeadlineSeconds reports ProgressDeadlineExceeded', async () => {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const c = await cluster({ ready: () => false, now: () => clock });
  await c.create(D, deployment('web', 1, 'web:1', { progressDeadlineSeconds: 30 }));
  await waitFor(async () => (await get(c, 'web')).status?.conditions?.some((x) => x.type === 'Progressing' && x.status === 'True'), { timeoutMs: 5000, message: 'progressing' });
  clock += 31_000;
  await c.patch(D, 'web', { metadata: { labels: { poke: '1' } } });
  const d = await waitFor(async () => { const x = await get(c, 'web'); return x.status?.conditions?.some((y) => y.reason === 'ProgressDeadlineExceeded') && x; }, { timeoutMs: 5000, message: 'deadline exceeded' });
  const cond = d.status!.conditions!.find((x) => x.type === 'Progressing')!;
  assert.equal(cond.status, 'False');
  assert.match(cond.message!, /^ReplicaSet "web-\w+" has timed out progressing\.$/);
  assert.equal(d.status!.conditions!.find((x) => x.type === 'Available')?.status, 'False');
});
