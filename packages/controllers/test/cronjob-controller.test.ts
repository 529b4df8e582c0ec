// Issue 15: the CronJob controller against an in-memory apiserver on an injected clock (no test waits for real
// minutes): schedule with time zone, job names `<cronjob>-<minutes>`, active/lastScheduleTime/lastSuccessfulTime,
// concurrencyPolicy Forbid and Replace, startingDeadlineSeconds, history limits, suspend.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { KubeEvent } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { CronJobController } from '../src/cronjob-controller.ts';
import { SharedInformers } from '../src/shared-informers.ts';
import type { CronJob, Job } from '../src/workload-types.ts';
import { FakeCluster } from './fake-cluster.ts';

const log = pino({ level: 'silent' });
const running: CronJobController[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((c) => c.stop())); });

const CJ = { resource: 'cronjobs', namespace: 'default' };
const J = { resource: 'jobs', namespace: 'default' };
const minutes = (iso: string) => Math.floor(Date.parse(iso) / 60_000);

async function start(at: string, spec: Partial<CronJob['spec']>) {
  const cluster = new FakeCluster();
  let clock = Date.parse(at);
  cluster.now = () => clock;
  const c = new CronJobController({ client: cluster, logger: log, informers: new SharedInformers(cluster, log), now: () => clock });
  running.push(c);
  await c.start();
  await cluster.create(CJ, {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj', namespace: 'default' },
    spec: {
      schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { team: 'a' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } },
      ...spec,
    },
  } as CronJob);
  const tickTo = async (iso: string) => { clock = Date.parse(iso); c.queue.add('default/cj'); await settle(); };
  const settle = async () => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };
  await settle();
  return { cluster, tickTo };
}

const jobs = (c: FakeCluster) => c.objectsOf<Job>('jobs', 'default').filter((j) => !j.metadata.deletionTimestamp);
const names = (c: FakeCluster) => jobs(c).map((j) => j.metadata.name).sort();
const getCj = (c: FakeCluster) => c.get<CronJob>(CJ, 'cj');
const events = (c: FakeCluster, reason: string) => c.objectsOf<KubeEvent>('events', 'default').filter((e) => e.reason === reason);
const finish = (c: FakeCluster, name: string, type: 'Complete' | 'Failed', at: string) => c.patchStatus(J, name, {
  status: { startTime: at, ...(type === 'Complete' ? { completionTime: at } : {}), conditions: [{ type, status: 'True', lastTransitionTime: at }] },
});

test('at each schedule time a Job <cronjob>-<minutes> is made from the template and tracked until it completes', async () => {
  const { cluster, tickTo } = await start('2026-01-01T10:02:00Z', {});
  assert.deepEqual(names(cluster), [], 'nothing before the first schedule time');
  await tickTo('2026-01-01T10:05:00Z');
  const name = `cj-${minutes('2026-01-01T10:05:00Z')}`;
  const [job] = await waitFor(() => jobs(cluster).length === 1 && jobs(cluster), { timeoutMs: 5000, message: 'a job' });
  assert.equal(job.metadata.name, name);
  assert.equal(job.metadata.labels?.team, 'a');
  assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-01T10:05:00Z');
  assert.deepEqual(job.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.controller]), [['CronJob', 'cj', true]]);
  let cj = await waitFor(async () => { const x = await getCj(cluster); return x.status?.active?.length === 1 && x; }, { timeoutMs: 5000, message: 'active' });
  assert.equal(cj.status?.lastScheduleTime, '2026-01-01T10:05:00Z');
  assert.equal(cj.status?.active?.[0].name, name);
  await finish(cluster, name, 'Complete', '2026-01-01T10:06:00Z');
  cj = await waitFor(async () => { const x = await getCj(cluster); return !x.status?.active?.length && x; }, { timeoutMs: 5000, message: 'no longer active' });
  assert.equal(cj.status?.lastSuccessfulTime, '2026-01-01T10:06:00Z');
  await waitFor(() => events(cluster, 'SawCompletedJob')[0]?.message === `Saw completed job: ${name}, status: Complete`, { timeoutMs: 5000, message: 'SawCompletedJob' });
  await tickTo('2026-01-01T10:07:00Z');
  assert.equal(jobs(cluster).length, 1, 'no second run of the same schedule time');
});

test('a timeZone schedule runs at that zone\'s wall-clock time', async () => {
  const { cluster, tickTo } = await start('2026-01-01T23:58:00Z', { schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' });
  await tickTo('2026-01-01T23:59:59Z');
  assert.equal(jobs(cluster).length, 0);
  await tickTo('2026-01-02T00:00:00Z'); // 09:00 in Tokyo
  const [job] = await waitFor(() => jobs(cluster).length === 1 && jobs(cluster), { timeoutMs: 5000, message: 'a job at 09:00 JST' });
  assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-02T09:00:00+09:00');
});

test('Forbid skips a run while one is active; Replace deletes the active run first', async () => {
  const { cluster, tickTo } = await start('2026-01-01T10:04:00Z', { concurrencyPolicy: 'Forbid' });
  await tickTo('2026-01-01T10:05:00Z');
  await waitFor(async () => (await getCj(cluster)).status?.active?.length === 1, { timeoutMs: 5000, message: 'first run' });
  await tickTo('2026-01-01T10:10:00Z');
  assert.deepEqual(names(cluster), [`cj-${minutes('2026-01-01T10:05:00Z')}`]);
  await waitFor(() => events(cluster, 'JobAlreadyActive').length === 1, { timeoutMs: 5000, message: 'JobAlreadyActive' });
  await cluster.patch(CJ, 'cj', { spec: { concurrencyPolicy: 'Replace' } });
  await tickTo('2026-01-01T10:15:00Z');
  await waitFor(() => names(cluster).join() === `cj-${minutes('2026-01-01T10:15:00Z')}`, { timeoutMs: 5000, message: 'replaced' });
  const cj = await waitFor(async () => { const x = await getCj(cluster); return x.status?.active?.length === 1 && x; }, { timeoutMs: 5000, message: 'one active' });
  assert.equal(cj.status?.active?.[0].name, `cj-${minutes('2026-01-01T10:15:00Z')}`);
});

test('a start missed by more than startingDeadlineSeconds is skipped; suspend stops new runs', async () => {
  const { cluster, tickTo } = await start('2026-01-01T10:04:00Z', { startingDeadlineSeconds: 60 });
  await tickTo('2026-01-01T10:06:30Z'); // 10:05 is 90 s late
  assert.equal(jobs(cluster).length, 0);
  await tickTo('2026-01-01T10:10:30Z');
  await waitFor(() => names(cluster).join() === `cj-${minutes('2026-01-01T10:10:00Z')}`, { timeoutMs: 5000, message: 'the 10:10 run, 30 s late' });
  await cluster.patch(CJ, 'cj', { spec: { suspend: true } });
  await tickTo('2026-01-01T10:15:00Z');
  assert.equal(jobs(cluster).length, 1);
});

test('finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit are deleted, oldest first', async () => {
  const { cluster, tickTo } = await start('2026-01-01T10:04:00Z', { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 });
  const runs = ['10:05', '10:10', '10:15', '10:20'];
  for (const [i, hm] of runs.entries()) {
    await tickTo(`2026-01-01T${hm}:00Z`);
    const name = `cj-${minutes(`2026-01-01T${hm}:00Z`)}`;
    await waitFor(() => names(cluster).includes(name), { timeoutMs: 5000, message: name });
    await finish(cluster, name, i % 2 ? 'Failed' : 'Complete', `2026-01-01T${hm}:30Z`);
  }
  await tickTo('2026-01-01T10:21:00Z');
  await waitFor(() => names(cluster).join() === [`cj-${minutes('2026-01-01T10:15:00Z')}`, `cj-${minutes('2026-01-01T10:20:00Z')}`].sort().join(), { timeoutMs: 5000, message: 'newest Complete and newest Failed kept' });
});
