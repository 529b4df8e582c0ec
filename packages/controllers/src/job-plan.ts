// Which pods a Job creates or deletes in one sync (k/k pkg/controller/job/job_controller.go manageJob,
// indexed_job_utils.go). Active pods wanted:
//   - suspended: none;
//   - completions unset: `parallelism` until a pod succeeded, then no new ones (the running ones finish);
//   - otherwise min(completions − succeeded, parallelism).
// Indexed Jobs first delete pods of an unknown, out-of-range or already succeeded index and every duplicate of an
// index, then create the missing indexes lowest first. Surplus pods go in the ReplicaSet's ranking order
// (unscheduled, pending, not ready first). At most 500 creates or deletes per sync.
import type { Pod } from '@podling/api';
import { completionIndex, isIndexed } from './job-pods.ts';
import { rankPodsForDeletion } from './pod-ranking.ts';
import type { Job } from './workload-types.ts';

/** k/k MaxPodCreateDeletePerSync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export interface JobPlan {
  /** One entry per pod to create: its completion index, or undefined for a NonIndexed Job. */
  create: (number | undefined)[];
  delete: Pod[];
}

export function wantActive(job: Job, activeCount: number, succeeded: number): number {
  if (job.spec.suspend) return 0;
  const parallelism = job.spec.parallelism ?? 1;
  if (job.spec.completions === undefined || job.spec.completions === null) return succeeded > 0 ? Math.min(activeCount, parallelism) : parallelism;
  return Math.max(0, Math.min(job.spec.completions - succeeded, parallelism));
}

export function planPods(job: Job, active: Pod[], succeeded: number, succeededIndexes: Set<number>, now: number): JobPlan {
  const want = wantActive(job, active.length, succeeded);
  const doomed: Pod[] = [];
  let keep = active;
  if (isIndexed(job)) {
    const completions = job.spec.completions ?? 0;
    const seen = new Set<number>();
    keep = [];
    // Oldest first, so the pod that has run longest keeps its index.
    const byAge = [...active].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    for (const p of byAge) {
      const i = completionIndex(p);
      if (i === undefined || i >= completions || succeededIndexes.has(i) || seen.has(i)) doomed.push(p);
      else { seen.add(i); keep.push(p); }
    }
  }
  const plan: JobPlan = { create: [], delete: doomed };
  if (keep.length > want) {
    plan.delete.push(...rankPodsForDeletion(keep, () => 0, now).slice(0, keep.length - want));
  } else if (keep.length < want) {
    const count = want - keep.length;
    if (isIndexed(job)) {
      const taken = new Set(keep.map((p) => completionIndex(p)!));
      for (let i = 0; i < (job.spec.completions ?? 0) && plan.create.length < count; i++) {
        if (!taken.has(i) && !succeededIndexes.has(i)) plan.create.push(i);
      }
    } else {
      plan.create = Array.from({ length: count }, () => undefined);
    }
  }
  plan.create = plan.create.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
  plan.delete = plan.delete.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
  return plan;
}
