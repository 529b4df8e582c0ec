// The body of one Job sync once its pods are claimed (the steps are described in job-controller.ts). Kept apart
// from the controller's wiring; everything it decides comes from the Job, its pods and the controller's clock.
import { isStatusError, type Pod } from '@podling/api';
import { formatIndexes, parseIndexes } from './completed-indexes.ts';
import { ensureCondition, findCondition, jobCondition, REASONS, stamp, type JobReason } from './job-conditions.ts';
import type { JobController } from './job-controller.ts';
import { JOB_KIND } from './job-controller.ts';
import { completionIndex, isIndexed, isJobPodFailed, jobPod, podFinishedAt, restartsOf } from './job-pods.ts';
import { planPods } from './job-plan.ts';
import { newControllerRef } from './owner-references.ts';
import { isPodActive, isPodReady } from './pod-state.ts';
import { slowStartBatch } from './slow-start-batch.ts';
import { writeStatus } from './status-writer.ts';
import type { Job, JobCondition } from './workload-types.ts';

type JobStatus = NonNullable<Job['status']>;
type Interim = { type: 'SuccessCriteriaMet' | 'FailureTarget'; reason: JobReason };

export async function syncJob(c: JobController, key: string, job: Job, pods: Pod[]): Promise<void> {
  const now = c.now();
  const indexed = isIndexed(job);
  const completions = job.spec.completions ?? undefined;
  const status: JobStatus = structuredClone(job.status ?? {});
  const conditions: JobCondition[] = status.conditions ?? [];
  const uncounted = { succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(status.uncountedTerminatedPods?.failed ?? [])] };
  const succeededIndexes = indexed ? parseIndexes(status.completedIndexes, completions ?? 0) : new Set<number>();
  let dirty = false;

  // Pods finished since the last sync: recorded as uncounted before their finalizer comes off.
  let interim = interimOf(conditions);
  const fresh: { uid: string; succeeded: boolean; at: number }[] = [];
  const releasable: Pod[] = [];
  for (const p of pods) {
    if (!c.tracked(p)) continue;
    const uid = p.metadata.uid!;
    const succeeded = p.status?.phase === 'Succeeded';
    const failed = isJobPodFailed(p) || (!!interim && interim.type === 'FailureTarget');
    if (!succeeded && !failed && !job.metadata.deletionTimestamp) continue;
    releasable.push(p);
    const ix = completionIndex(p);
    const validIndex = !indexed || (ix !== undefined && ix < (completions ?? 0));
    if (succeeded && indexed) {
      if (validIndex && !succeededIndexes.has(ix!)) { succeededIndexes.add(ix!); fresh.push({ uid, succeeded: true, at: podFinishedAt(p, now) }); dirty = true; }
    } else if (succeeded && !uncounted.succeeded.includes(uid) && !uncounted.failed.includes(uid)) {
      uncounted.succeeded.push(uid); fresh.push({ uid, succeeded: true, at: podFinishedAt(p, now) }); dirty = true;
    } else if (failed && validIndex && !uncounted.failed.includes(uid)) {
      uncounted.failed.push(uid); fresh.push({ uid, succeeded: false, at: podFinishedAt(p, now) }); dirty = true;
    }
  }
  c.backoff.observe(key, fresh);
  const succeeded = indexed ? succeededIndexes.size : (status.succeeded ?? 0) + uncounted.succeeded.length;
  const failed = (status.failed ?? 0) + uncounted.failed.length;
  let active = pods.filter(isPodActive);

  if (!status.startTime && !job.spec.suspend) { status.startTime = stamp(now); dirty = true; }
  const backoffLimit = job.spec.backoffLimit ?? 6;
  const restarts = job.spec.template.spec?.restartPolicy === 'OnFailure' ? restartsOf(active) : 0;
  const deadline = job.spec.activeDeadlineSeconds != null && status.startTime && !job.spec.suspend
    ? Date.parse(status.startTime) + job.spec.activeDeadlineSeconds * 1000 : undefined;
  if (!interim) {
    if (failed > backoffLimit || (restarts > 0 && restarts >= backoffLimit)) interim = { type: 'FailureTarget', reason: 'BackoffLimitExceeded' };
    else if (deadline !== undefined && deadline <= now) interim = { type: 'FailureTarget', reason: 'DeadlineExceeded' };
  }
  if (deadline !== undefined && deadline > now) c.queue.addAfter(key, deadline - now);

  let manageError: Error | undefined;
  let deleted = 0;
  if (interim) {
    c.expectations.expect(key, 0, active.map((p) => p.metadata.uid!));
    manageError = await deletePods(c, key, job, active);
    deleted = active.length;
    active = [];
  } else if (c.expectations.satisfied(key) && !job.metadata.deletionTimestamp) {
    const plan = planPods(job, active, succeeded, succeededIndexes, now);
    const wait = plan.create.length ? c.backoff.remainingMs(key, now) : 0;
    if (wait > 0) { c.queue.addAfter(key, wait); plan.create = []; }
    // One record for both, so neither the creates nor the deletes of this sync are forgotten.
    c.expectations.expect(key, plan.create.length, plan.delete.map((p) => p.metadata.uid!));
    if (plan.create.length) {
      const { created, error } = await createPods(c, key, job, plan.create);
      active = [...active, ...created];
      manageError = error;
    }
    manageError ??= await deletePods(c, key, job, plan.delete);
    deleted = plan.delete.filter(isPodActive).length;
    active = active.filter((p) => !plan.delete.includes(p));
    const complete = completions === undefined ? succeeded > 0 && active.length === 0 : succeeded >= completions && active.length === 0;
    if (complete) interim = { type: 'SuccessCriteriaMet', reason: 'CompletionsReached' };
    else if (job.spec.suspend) {
      if (ensureCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) { dirty = true; void c.events.record(asJob(job), 'Normal', 'Suspended', 'Job suspended'); }
    } else if (ensureCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
      dirty = true;
      status.startTime = stamp(now); // activeDeadlineSeconds counts time active, so a resumed Job starts afresh
      void c.events.record(asJob(job), 'Normal', 'Resumed', 'Job resumed');
    }
  }
  if (interim && !conditions.some((x) => x.type === interim!.type)) {
    conditions.push(jobCondition(interim.type, 'True', interim.reason, REASONS[interim.reason], now));
    dirty = true;
  }

  const terminating = pods.filter((p) => p.metadata.deletionTimestamp && !isTerminal(p)).length + deleted;
  const counts = { active: active.length, ready: active.filter(isPodReady).length, terminating };
  // The first write records what finished as uncounted; the counters themselves move only below.
  Object.assign(status, counts, {
    conditions, uncountedTerminatedPods: uncounted,
    succeeded: indexed ? succeeded : job.status?.succeeded ?? 0, failed: job.status?.failed ?? 0,
  });
  if (indexed) status.completedIndexes = formatIndexes(succeededIndexes);
  let current = job;
  if (dirty || counts.active !== job.status?.active || counts.ready !== job.status?.ready || counts.terminating !== job.status?.terminating) {
    current = await writeJobStatus(c, current, status);
  }

  // Finalizers off, then the counters move.
  await Promise.all(releasable.map((p) => c.removeFinalizer(p)));
  const released = new Set(releasable.map((p) => p.metadata.uid!));
  const stillTracked = new Set(pods.filter((p) => c.tracked(p)).map((p) => p.metadata.uid!));
  const gone = (uid: string) => released.has(uid) || !stillTracked.has(uid);
  const moveS = uncounted.succeeded.filter(gone), moveF = uncounted.failed.filter(gone);
  if (!indexed) status.succeeded = (job.status?.succeeded ?? 0) + moveS.length;
  status.failed = (job.status?.failed ?? 0) + moveF.length;
  const left = { succeeded: uncounted.succeeded.filter((u) => !gone(u)), failed: uncounted.failed.filter((u) => !gone(u)) };
  // Both lists are always sent: the status goes out as a merge patch, where a missing key would keep the old UIDs.
  status.uncountedTerminatedPods = left;
  const settled = left.succeeded.length + left.failed.length === 0 && counts.active === 0 && counts.terminating === 0;
  if (interim && settled && (!manageError)) {
    const type = interim.type === 'SuccessCriteriaMet' ? 'Complete' : 'Failed';
    conditions.push(jobCondition(type, 'True', interim.reason, REASONS[interim.reason], now));
    if (type === 'Complete') status.completionTime = stamp(now);
    void c.events.record(asJob(job), type === 'Complete' ? 'Normal' : 'Warning', type === 'Complete' ? 'Completed' : interim.reason, type === 'Complete' ? 'Job completed' : REASONS[interim.reason]);
  }
  if (moveS.length || moveF.length || findCondition(asStatus(job, status), 'Complete') || findCondition(asStatus(job, status), 'Failed')) await writeJobStatus(c, current, status);
  if (manageError) throw manageError;
}

function interimOf(conditions: JobCondition[]): Interim | undefined {
  const c = conditions.find((x) => (x.type === 'SuccessCriteriaMet' || x.type === 'FailureTarget') && x.status === 'True');
  return c ? { type: c.type as Interim['type'], reason: c.reason as JobReason } : undefined;
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const asJob = (job: Job): Job => ({ ...job, apiVersion: 'batch/v1', kind: 'Job' });
const asStatus = (job: Job, status: JobStatus): Job => ({ ...job, status });

/** A status write guarded by the resourceVersion the sync read: a stale cache gets 409 and the sync retries. */
async function writeJobStatus(c: JobController, job: Job, status: JobStatus): Promise<Job> {
  return (await writeStatus(c.opts.client, 'jobs', job, status, true)) ?? job;
}

/** Creates in slow-start batches; the caller has recorded the expectations. */
async function createPods(c: JobController, key: string, job: Job, indexes: (number | undefined)[]): Promise<{ created: Pod[]; error?: Error }> {
  const owner = newControllerRef(job, JOB_KIND);
  const created: Pod[] = [];
  let next = 0;
  const result = await slowStartBatch(indexes.length, async () => {
    const body = jobPod(job, owner, indexes[next++]);
    try {
      const pod = await c.opts.client.create<Pod>({ resource: 'pods', namespace: job.metadata.namespace }, body);
      created.push(pod);
      void c.events.record(asJob(job), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    } catch (err) {
      if (!(isStatusError(err) && err.code === 403 && /being terminated/.test(err.message))) {
        void c.events.record(asJob(job), 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      }
      throw err;
    }
  });
  if (result.succeeded < indexes.length) c.expectations.creationObserved(key, indexes.length - result.succeeded);
  return { created, error: result.error as Error | undefined };
}

/** Deletes with UID preconditions; the caller has recorded the expectations. */
async function deletePods(c: JobController, key: string, job: Job, pods: Pod[]): Promise<Error | undefined> {
  if (!pods.length) return undefined;
  let error: Error | undefined;
  await Promise.all(pods.map(async (p) => {
    try {
      await c.opts.client.delete({ resource: 'pods', namespace: p.metadata.namespace }, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
      void c.events.record(asJob(job), 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
    } catch (err) {
      c.expectations.deletionObserved(key, p.metadata.uid!);
      if (isStatusError(err) && err.code === 404) return;
      error ??= err as Error;
      void c.events.record(asJob(job), 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
    }
  }));
  return error;
}
