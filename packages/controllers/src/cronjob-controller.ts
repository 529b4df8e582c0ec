// The CronJob controller (k/k pkg/controller/cronjob/cronjob_controllerv2.go). One sync of `namespace/name`:
//   1. reconcile status.active with the Jobs it controls: a finished one leaves (SawCompletedJob; a Complete one
//      advances lastSuccessfulTime), a vanished one too (MissingJob, after a live GET); an unfinished child missing
//      from the list is reported (UnexpectedJob);
//   2. unless suspended or being deleted: find the most recent schedule time after lastScheduleTime (or creation,
//      or now − startingDeadlineSeconds), skip it if it is too late (MissSchedule), if its Job already exists, or
//      under Forbid while a Job runs (JobAlreadyActive); under Replace delete the running Jobs first; then create
//      `<cronjob>-<minutes>` and record it in active and lastScheduleTime;
//   3. delete finished Jobs beyond the history limits; write status (guarded by resourceVersion); come back at the
//      next schedule time + 100 ms. The clock is injectable, so tests never wait for real minutes.
import { isStatusError } from '@podling/api';
import { EventRecorder, type Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { countMissed, parseSchedule, rfc1123z, validTimeZone, type CronSchedule } from './cron-schedule.ts';
import { CRONJOB_KIND, jobFromTemplate, jobName, jobRef, jobsBeyondHistory } from './cronjob-jobs.ts';
import { finishedAs, stamp } from './job-conditions.ts';
import { controllerRefOf, keyOf, splitKey } from './owner-references.ts';
import { QueueController } from './queue-controller.ts';
import type { SharedInformer, SharedInformers } from './shared-informers.ts';
import { writeStatus } from './status-writer.ts';
import type { CronJob, Job } from './workload-types.ts';

export interface CronJobControllerOptions {
  client: KubeClientApi;
  logger: Logger;
  informers: SharedInformers;
  workers?: number;
  now?: () => number;
}

type CronJobStatus = NonNullable<CronJob['status']>;

export class CronJobController extends QueueController {
  protected readonly log: Logger;
  readonly events: EventRecorder;
  protected readonly informers: SharedInformer<CronJob | Job>[];
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly now: () => number;

  constructor(private readonly opts: CronJobControllerOptions) {
    super('cronjob-controller', opts.workers ?? 5);
    this.now = opts.now ?? Date.now;
    this.log = opts.logger.child({ controller: 'cronjob-controller' });
    this.events = new EventRecorder(opts.client, { component: 'cronjob-controller', logger: this.log, now: () => new Date(this.now()) });
    const cronJobs = opts.informers.get<CronJob>('cronjobs');
    const jobs = opts.informers.get<Job>('jobs');
    this.informers = [cronJobs, jobs] as SharedInformer<CronJob | Job>[];
    this.cronJobs = cronJobs.informer.on('add', (c) => this.queue.add(keyOf(c))).on('update', (_o, c) => this.queue.add(keyOf(c)));
    const onJob = (j: Job) => {
      const ref = controllerRefOf(j);
      if (ref?.kind === 'CronJob') this.queue.add(`${j.metadata.namespace}/${ref.name}`);
    };
    this.jobs = jobs.informer.on('add', onJob).on('update', (_o, j) => onJob(j)).on('delete', onJob);
  }

  protected async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const cj = this.cronJobs.get(namespace, name);
    if (!cj) return;
    const now = this.now();
    const status: CronJobStatus = structuredClone(cj.status ?? {});
    const children = this.jobs.listIn(namespace).filter((j) => controllerRefOf(j)?.uid === cj.metadata.uid);
    await this.reconcileActive(cj, status, children);
    let schedule: CronSchedule | undefined;
    if (!cj.metadata.deletionTimestamp && !cj.spec.suspend) schedule = this.scheduleOf(cj);
    if (schedule) await this.maybeRun(cj, status, children, schedule, now);
    for (const old of jobsBeyondHistory(cj, children)) {
      if (await this.deleteJob(cj, old)) status.active = (status.active ?? []).filter((r) => r.uid !== old.metadata.uid);
    }
    await writeStatus(this.opts.client, 'cronjobs', cj, status, true);
    if (schedule) this.queue.addAfter(key, schedule.next(now) - now + 100);
  }

  private async reconcileActive(cj: CronJob, status: CronJobStatus, children: Job[]): Promise<void> {
    const active = status.active ?? [];
    for (const j of children) {
      const listed = active.some((r) => r.uid === j.metadata.uid);
      const done = finishedAs(j);
      if (!listed && !done) {
        void this.events.record(this.asCronJob(cj), 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (listed && done) {
        status.active = (status.active ?? []).filter((r) => r.uid !== j.metadata.uid);
        void this.events.record(this.asCronJob(cj), 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, status: ${done}`);
        const at = j.status?.completionTime;
        if (done === 'Complete' && at && (!status.lastSuccessfulTime || Date.parse(at) > Date.parse(status.lastSuccessfulTime))) status.lastSuccessfulTime = at;
      }
    }
    for (const ref of active) {
      if (children.some((j) => j.metadata.uid === ref.uid)) continue;
      try {
        const live = await this.opts.client.get<Job>({ resource: 'jobs', namespace: cj.metadata.namespace }, ref.name!);
        if (live.metadata.uid === ref.uid) continue; // the cache lags
      } catch (err) {
        if (!(isStatusError(err) && err.code === 404)) throw err;
      }
      status.active = (status.active ?? []).filter((r) => r.uid !== ref.uid);
      void this.events.record(this.asCronJob(cj), 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
    }
  }

  private scheduleOf(cj: CronJob): CronSchedule | undefined {
    if (cj.spec.timeZone && !validTimeZone(cj.spec.timeZone)) {
      void this.events.record(this.asCronJob(cj), 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(cj.spec.timeZone)}: unknown time zone ${cj.spec.timeZone}`);
      return undefined;
    }
    try {
      return parseSchedule(cj.spec.schedule, cj.spec.timeZone);
    } catch (err) {
      void this.events.record(this.asCronJob(cj), 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${(err as Error).message}`);
      return undefined;
    }
  }

  private async maybeRun(cj: CronJob, status: CronJobStatus, children: Job[], schedule: CronSchedule, now: number): Promise<void> {
    let earliest = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
    const deadlineS = cj.spec.startingDeadlineSeconds;
    if (deadlineS !== undefined && deadlineS !== null) earliest = Math.max(earliest, now - deadlineS * 1000);
    const scheduled = schedule.latest(earliest, now);
    if (scheduled === undefined) return;
    if (countMissed(schedule, earliest, now) > 100) {
      void this.events.record(this.asCronJob(cj), 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    if (deadlineS !== undefined && deadlineS !== null && scheduled + deadlineS * 1000 < now) {
      void this.events.record(this.asCronJob(cj), 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return;
    }
    const name = jobName(cj, scheduled);
    if ((status.active ?? []).some((r) => r.name === name) || children.some((j) => j.metadata.name === name)) return;
    const running = (status.active ?? []);
    if (cj.spec.concurrencyPolicy === 'Forbid' && running.length > 0) {
      void this.events.record(this.asCronJob(cj), 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return;
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of running) {
        const job = children.find((j) => j.metadata.uid === ref.uid);
        if (job && !(await this.deleteJob(cj, job))) return;
        status.active = (status.active ?? []).filter((r) => r.uid !== ref.uid);
      }
    }
    const ref = { resource: 'jobs', namespace: cj.metadata.namespace };
    let created: Job;
    try {
      created = await this.opts.client.create<Job>(ref, jobFromTemplate(cj, scheduled));
      void this.events.record(this.asCronJob(cj), 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    } catch (err) {
      if (!(isStatusError(err) && err.code === 409)) {
        void this.events.record(this.asCronJob(cj), 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
      // Made by an earlier sync whose status write was lost (the name is the lock): record it if it is ours.
      created = await this.opts.client.get<Job>(ref, name);
      if (controllerRefOf(created)?.uid !== cj.metadata.uid || finishedAs(created)) return;
    }
    status.active = [...(status.active ?? []), jobRef(created)];
    status.lastScheduleTime = stamp(scheduled);
  }

  /** Deletes a Job with its pods (Background); true when it is gone or going. */
  private async deleteJob(cj: CronJob, job: Job): Promise<boolean> {
    try {
      await this.opts.client.delete({ resource: 'jobs', namespace: job.metadata.namespace }, job.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } });
    } catch (err) {
      if (!(isStatusError(err) && err.code === 404)) {
        void this.events.record(this.asCronJob(cj), 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
        return false;
      }
    }
    void this.events.record(this.asCronJob(cj), 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }

  private asCronJob(cj: CronJob): CronJob {
    return { ...cj, ...CRONJOB_KIND };
  }
}
