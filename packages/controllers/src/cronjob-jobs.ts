// The Jobs a CronJob makes and keeps (k/k pkg/controller/cronjob/utils.go getJobFromTemplate2,
// cronjob_controllerv2.go cleanupFinishedJobs): a Job named `<cronjob>-<scheduled time in minutes since the
// epoch>` — the name doubles as a lock, so one scheduled time never runs twice — with the template's labels and
// annotations plus the scheduled-timestamp annotation and a controller reference; and, once finished, only the
// newest successfulJobsHistoryLimit Complete and failedJobsHistoryLimit Failed Jobs are kept.
import type { ObjectReference } from '@podling/api';
import { rfc3339In } from './cron-schedule.ts';
import { finishedAs } from './job-conditions.ts';
import { newControllerRef } from './owner-references.ts';
import type { CronJob, Job } from './workload-types.ts';

export const CRONJOB_KIND = { apiVersion: 'batch/v1', kind: 'CronJob' };
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export function jobName(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduledMs / 60_000)}`;
}

export function jobFromTemplate(cj: CronJob, scheduledMs: number): Job {
  const t = cj.spec.jobTemplate;
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name: jobName(cj, scheduledMs), namespace: cj.metadata.namespace,
      labels: { ...t.metadata?.labels },
      annotations: { ...t.metadata?.annotations, [SCHEDULED_TIMESTAMP]: rfc3339In(scheduledMs, cj.spec.timeZone ?? undefined) },
      ownerReferences: [newControllerRef(cj, CRONJOB_KIND)],
    },
    spec: structuredClone(t.spec ?? {}) as Job['spec'],
  };
}

export function jobRef(job: Job): ObjectReference {
  return { kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion };
}

/** The finished Jobs beyond the history limits, oldest first by start time. */
export function jobsBeyondHistory(cj: CronJob, jobs: Job[]): Job[] {
  const byStart = (a: Job, b: Job) => (a.status?.startTime ?? '').localeCompare(b.status?.startTime ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  const excess = (kind: 'Complete' | 'Failed', limit: number | undefined | null) => {
    if (limit === undefined || limit === null) return [];
    const done = jobs.filter((j) => finishedAs(j) === kind).sort(byStart);
    return done.slice(0, Math.max(0, done.length - limit));
  };
  return [...excess('Complete', cj.spec.successfulJobsHistoryLimit), ...excess('Failed', cj.spec.failedJobsHistoryLimit)];
}
