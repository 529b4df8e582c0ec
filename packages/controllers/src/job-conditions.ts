// A Job's conditions (k/k pkg/controller/job/job_controller.go newCondition, ensureJobConditionStatus): a finished
// Job has Complete or Failed True and is never touched again; since 1.31 the interim SuccessCriteriaMet or
// FailureTarget comes first, while the last pods are stopped and counted, and the terminal condition repeats its
// reason and message. Suspended toggles between JobSuspended and JobResumed.
import { rfc3339 } from '@podling/api';
import type { Job, JobCondition } from './workload-types.ts';

export const stamp = (ms: number) => rfc3339(ms);

export const REASONS = {
  CompletionsReached: 'Reached expected number of succeeded pods',
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
} as const;

export type JobReason = keyof typeof REASONS;

export function jobCondition(type: string, status: string, reason: string, message: string, now: number): JobCondition {
  return { type, status, reason, message, lastProbeTime: stamp(now), lastTransitionTime: stamp(now) };
}

export function findCondition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type);
}

/** 'Complete' or 'Failed' once the Job has finished. */
export function finishedAs(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

/** When the Job finished (its terminal condition's lastTransitionTime), in ms. */
export function finishedAt(job: Job): number | undefined {
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  const t = Date.parse(c?.lastTransitionTime ?? '');
  return Number.isNaN(t) ? undefined : t;
}

/** Sets `type` to status/reason/message; a False condition is not added where none was. Returns whether it changed. */
export function ensureCondition(conditions: JobCondition[], type: string, status: string, reason: string, message: string, now: number): boolean {
  const i = conditions.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = conditions[i];
    if (c.status === status && c.reason === reason && c.message === message) return false;
    conditions[i] = jobCondition(type, status, reason, message, now);
    return true;
  }
  if (status === 'False') return false;
  conditions.push(jobCondition(type, status, reason, message, now));
  return true;
}
