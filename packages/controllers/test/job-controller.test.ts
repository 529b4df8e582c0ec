// Issue 15: the Job and TTL-after-finished controllers against an in-memory apiserver, on an injected clock —
// completions and parallelism, Indexed Jobs, backoffLimit with the failure back-off, activeDeadlineSeconds,
// suspend and resume, the tracking finalizer (a finished pod is counted exactly once and then freed), and
// ttlSecondsAfterFinished.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { JobController } from '../src/job-controller.ts';
import { JOB_TRACKING_FINALIZER } from '../src/job-pods.ts';
import { SharedInformers } from '../src/shared-informers.ts';
import { TtlAfterFinishedController } from '../src/ttl-after-finished-controller.ts';
import type { Job } from '../src/workload-types.ts';
import { FakeCluster } from './fake-cluster.ts';

const log = pino({ level: 'silent' });
const running: { stop(): Promise<void> }[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((c) => c.stop())); });

const J = { resource: 'jobs', namespace: 'default' };
const P = { resource: 'pods', namespace: 'default' };

async function start(): Promise<{ cluster: FakeCluster; c: JobController; tick: (ms: number) => void }> {
  const cluster = new FakeCluster();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  cluster.now = () => clock;
  const informers = new SharedInformers(cluster, log);
  const c = new JobController({ client: cluster, logger: log, informers, now: () => clock });
  const ttl = new TtlAfterFinishedController({ client: cluster, logger: log, informers, now: () => clock });
  running.push(c, ttl);
  await Promise.all([c.start(), ttl.start()]);
  return { cluster, c, tick: (ms) => { clock += ms; c.queue.add('default/pi'); ttl.queue.add('default/pi'); } };
}

function job(spec: Partial<Job['spec']> = {}): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' },
    spec: {
      selector: { matchLabels: { 'batch.kubernetes.io/job-name': 'pi' } }, backoffLimit: 6,
      template: { metadata: { labels: { 'batch.kubernetes.io/job-name': 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i', command: ['true'] }] } },
      ...spec,
    },
  } as Job;
}

const live = (c: FakeCluster) => c.objectsOf<Pod>('pods', 'default').filter((p) => !p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''));
const getJob = (c: FakeCluster) => c.get<Job>(J, 'pi');
const finish = (c: FakeCluster, p: Pod, phase: 'Succeeded' | 'Failed') => c.patchStatus(P, p.metadata.name!, { status: { phase } });
const condition = (j: Job, type: string) => j.status?.conditions?.find((x) => x.type === type && x.status === 'True');

test('a Job runs `completions` pods, at most `parallelism` at once, counts each once and completes', async () => {
  const { cluster } = await start();
  await cluster.create(J, job({ completions: 3, parallelism: 2 }));
  let pods = await waitFor(() => live(cluster).length === 2 && live(cluster), { timeoutMs: 5000, message: '2 active pods' });
  assert.ok(pods.every((p) => p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) && p.metadata.ownerReferences?.[0]?.kind === 'Job'));
  for (const p of pods) await finish(cluster, p, 'Succeeded');
  pods = await waitFor(() => live(cluster).length === 1 && live(cluster), { timeoutMs: 5000, message: 'the third pod' });
  await finish(cluster, pods[0], 'Succeeded');
  const done = await waitFor(async () => { const j = await getJob(cluster); return condition(j, 'Complete') && j; }, { timeoutMs: 5000, message: 'Complete' });
  assert.equal(condition(done, 'Complete')?.reason, 'CompletionsReached');
  assert.equal(condition(done, 'SuccessCriteriaMet')?.message, 'Reached expected number of succeeded pods');
  assert.deepEqual([done.status?.succeeded, done.status?.failed, done.status?.active], [3, 0, 0]);
  assert.deepEqual(done.status?.uncountedTerminatedPods, { succeeded: [], failed: [] });
  assert.ok(done.status?.completionTime && done.status?.startTime);
  assert.equal(cluster.requests.filter((r) => r === 'create pods').length, 3);
  assert.ok(cluster.objectsOf<Pod>('pods', 'default').every((p) => !p.metadata.finalizers?.length), 'finalizers removed');
});

test('an Indexed Job runs each index once, with its index as annotation, label, hostname and env', async () => {
  const { cluster } = await start();
  await cluster.create(J, job({ completions: 3, parallelism: 3, completionMode: 'Indexed' }));
  const pods = await waitFor(() => live(cluster).length === 3 && live(cluster), { timeoutMs: 5000, message: '3 pods' });
  const byIndex = pods.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
  assert.deepEqual(byIndex, ['0', '1', '2']);
  for (const p of pods) {
    const i = p.metadata.labels?.['batch.kubernetes.io/job-completion-index'];
    assert.equal(p.spec.hostname, `pi-${i}`);
    assert.match(p.metadata.generateName!, new RegExp(`^pi-${i}-$`));
    assert.deepEqual(p.spec.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
  }
  const one = pods.find((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '1')!;
  await finish(cluster, one, 'Succeeded');
  await waitFor(async () => (await getJob(cluster)).status?.completedIndexes === '1', { timeoutMs: 5000, message: 'completedIndexes 1' });
  for (const p of pods) if (p !== one) await finish(cluster, p, 'Succeeded');
  const done = await waitFor(async () => { const j = await getJob(cluster); return condition(j, 'Complete') && j; }, { timeoutMs: 5000, message: 'Complete' });
  assert.equal(done.status?.completedIndexes, '0-2');
  assert.equal(done.status?.succeeded, 3);
});

test('a failed pod is replaced only after the back-off; past backoffLimit the Job fails with BackoffLimitExceeded', async () => {
  const { cluster, tick } = await start();
  await cluster.create(J, job({ backoffLimit: 1 }));
  const [first] = await waitFor(() => live(cluster).length === 1 && live(cluster), { timeoutMs: 5000, message: 'a pod' });
  await finish(cluster, first, 'Failed');
  await waitFor(async () => (await getJob(cluster)).status?.failed === 1, { timeoutMs: 5000, message: 'failed 1' });
  assert.equal(live(cluster).length, 0, 'no replacement within the 10 s back-off');
  tick(10_000);
  const [second] = await waitFor(() => live(cluster).length === 1 && live(cluster), { timeoutMs: 5000, message: 'replacement' });
  assert.notEqual(second.metadata.uid, first.metadata.uid);
  await finish(cluster, second, 'Failed');
  const failed = await waitFor(async () => { const j = await getJob(cluster); return condition(j, 'Failed') && j; }, { timeoutMs: 5000, message: 'Failed' });
  assert.equal(condition(failed, 'Failed')?.reason, 'BackoffLimitExceeded');
  assert.equal(condition(failed, 'Failed')?.message, 'Job has reached the specified backoff limit');
  assert.equal(condition(failed, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
  assert.equal(failed.status?.failed, 2);
  assert.equal(failed.status?.completionTime, undefined);
});

test('activeDeadlineSeconds: the running pods are stopped and the Job fails with DeadlineExceeded', async () => {
  const { cluster, tick } = await start();
  await cluster.create(J, job({ parallelism: 2, completions: 4, activeDeadlineSeconds: 30 }));
  await waitFor(() => live(cluster).length === 2, { timeoutMs: 5000, message: '2 pods' });
  tick(30_000);
  const failed = await waitFor(async () => { const j = await getJob(cluster); return condition(j, 'Failed') && j; }, { timeoutMs: 5000, message: 'Failed' });
  assert.equal(condition(failed, 'Failed')?.reason, 'DeadlineExceeded');
  assert.equal(condition(failed, 'Failed')?.message, 'Job was active longer than specified deadline');
  assert.equal(cluster.objectsOf('pods', 'default').length, 0, 'pods deleted, their finalizers removed');
  assert.equal(failed.status?.failed, 2);
});

test('suspend deletes the active pods; resume starts them again with a new startTime', async () => {
  const { cluster, tick } = await start();
  await cluster.create(J, job({ parallelism: 2, completions: 2 }));
  await waitFor(() => live(cluster).length === 2, { timeoutMs: 5000, message: '2 pods' });
  const started = (await getJob(cluster)).status?.startTime;
  await cluster.patch(J, 'pi', { spec: { suspend: true } });
  const suspended = await waitFor(async () => { const j = await getJob(cluster); return condition(j, 'Suspended') && j.status?.active === 0 && j; }, { timeoutMs: 5000, message: 'suspended' });
  assert.equal(condition(suspended, 'Suspended')?.reason, 'JobSuspended');
  await waitFor(() => cluster.objectsOf('pods', 'default').length === 0, { timeoutMs: 5000, message: 'pods gone' });
  tick(60_000);
  await cluster.patch(J, 'pi', { spec: { suspend: false } });
  const resumed = await waitFor(async () => { const j = await getJob(cluster); return j.status?.conditions?.some((x) => x.reason === 'JobResumed') && j; }, { timeoutMs: 5000, message: 'resumed' });
  assert.notEqual(resumed.status?.startTime, started);
  await waitFor(() => live(cluster).length === 2, { timeoutMs: 5000, message: '2 pods again' });
});

test('a pod whose Job is deleted loses its finalizer, so its deletion never hangs', async () => {
  const { cluster } = await start();
  await cluster.create(J, job());
  const [pod] = await waitFor(() => live(cluster).length === 1 && live(cluster), { timeoutMs: 5000, message: 'a pod' });
  await cluster.delete(J, 'pi');
  await waitFor(async () => !(await cluster.get<Pod>(P, pod.metadata.name!)).metadata.finalizers?.length, { timeoutMs: 5000, message: 'finalizer removed' });
});

test('ttlSecondsAfterFinished: the finished Job is deleted (Foreground) once its TTL has passed', async () => {
  const { cluster, tick } = await start();
  await cluster.create(J, job({ ttlSecondsAfterFinished: 100 }));
  const [pod] = await waitFor(() => live(cluster).length === 1 && live(cluster), { timeoutMs: 5000, message: 'a pod' });
  await finish(cluster, pod, 'Succeeded');
  await waitFor(async () => condition(await getJob(cluster), 'Complete'), { timeoutMs: 5000, message: 'Complete' });
  tick(50_000);
  await new Promise((r) => setImmediate(r));
  assert.equal((await getJob(cluster)).metadata.deletionTimestamp, undefined, 'not before the TTL');
  tick(50_000);
  await waitFor(async () => (await getJob(cluster)).metadata.finalizers?.includes('foregroundDeletion'), { timeoutMs: 5000, message: 'deleted in the foreground' });
});

test('issue 18: a sync adopts an orphan of its namespace and never counts a pod elsewhere that names it', async () => {
  const { cluster } = await start();
  const stray = await cluster.create<Pod>(P, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: 'default', labels: { 'batch.kubernetes.io/job-name': 'pi' } },
    spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] },
  });
  const j = await cluster.create<Job>(J, job());
  await waitFor(async () => (await cluster.get<Pod>(P, 'stray')).metadata.ownerReferences?.[0]?.uid === j.metadata.uid, { timeoutMs: 5000, message: 'adopted' });
  await waitFor(async () => (await getJob(cluster)).status?.active === 1, { timeoutMs: 5000, message: 'active 1' });
  assert.deepEqual(live(cluster).map((p) => p.metadata.uid), [stray.metadata.uid], 'the adopted pod is its one active pod');
  const owner = { apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: j.metadata.uid!, controller: true };
  await cluster.create({ resource: 'pods', namespace: 'other' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'impostor', namespace: 'other', labels: { 'batch.kubernetes.io/job-name': 'pi' }, ownerReferences: [owner] },
    spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] },
  });
  await cluster.patch(J, 'pi', { spec: { parallelism: 2, completions: 2 } });
  await waitFor(() => live(cluster).length === 2, { timeoutMs: 5000, message: 'a second pod in default: the impostor does not count' });
  await waitFor(async () => (await getJob(cluster)).status?.active === 2, { timeoutMs: 5000, message: 'active 2' });
});
