// What the Job controller puts on and reads from its pods (k/k pkg/controller/job/job_controller.go,
// indexed_job_utils.go):
//   - every pod carries the `batch.kubernetes.io/job-tracking` finalizer, so a finished pod cannot vanish (pod GC,
//     a user, a node's eviction) before the controller has counted it; the controller removes it once the pod's
//     outcome is in the Job status, or when the Job is finished or gone — so no delete waits on it for long;
//   - an Indexed Job's pod has its index as annotation and label, `<job>-<i>` as hostname, `<job>-<i>-` as
//     generateName, and JOB_COMPLETION_INDEX in every container read through the downward API;
//   - a pod counts as failed when its phase is Failed or when it is being deleted without having succeeded
//     (a deleted job pod is a failure, also for orphans that never reach a phase).
import type { OwnerReference, Pod } from '@podling/api';
import { podFromTemplate } from './pod-template.ts';
import type { Job } from './workload-types.ts';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** The strategic merge patch that takes the tracking finalizer off a pod (the uid guards against a namesake). */
export function removeFinalizerPatch(pod: Pod): object {
  return { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER], uid: pod.metadata.uid } };
}

export function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

export function isIndexed(job: Job): boolean {
  return job.spec.completionMode === 'Indexed';
}

/** The pod's completion index (annotation first, then label), or undefined when missing or malformed. */
export function completionIndex(pod: Pod): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX] ?? pod.metadata.labels?.[COMPLETION_INDEX];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

export function isJobPodFailed(pod: Pod): boolean {
  if (pod.status?.phase === 'Failed') return true;
  return !!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** When the pod finished (its containers' latest finishedAt), for the failure back-off; `fallback` if unknown. */
export function podFinishedAt(pod: Pod, fallback: number): number {
  let at = 0;
  for (const s of pod.status?.containerStatuses ?? []) {
    const t = Date.parse(s.state?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(t)) at = Math.max(at, t);
  }
  return at || fallback;
}

/** Sum of container restarts of pods still Pending or Running (restartPolicy OnFailure counts these as failures). */
export function restartsOf(pods: Pod[]): number {
  let n = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Pending' && p.status?.phase !== 'Running') continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) n += s.restartCount ?? 0;
  }
  return n;
}

/** The pod to create for `job` (for index `index` when the Job is Indexed). */
export function jobPod(job: Job, owner: OwnerReference, index?: number): Pod {
  const name = job.metadata.name!;
  const tagged: Record<string, string> = index === undefined ? {} : { [COMPLETION_INDEX]: String(index) };
  const pod = podFromTemplate(job.spec.template, job.metadata.namespace!, name, owner, { labels: tagged, annotations: index === undefined ? undefined : tagged });
  pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
  if (index !== undefined) {
    pod.metadata.generateName = `${name}-${index}-`;
    pod.spec.hostname = `${name}-${index}`;
    const env = { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } };
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      c.env = [...(c.env ?? []).filter((e) => e.name !== COMPLETION_INDEX_ENV), env];
    }
  }
  return pod;
}
