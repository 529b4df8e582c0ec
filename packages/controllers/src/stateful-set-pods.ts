// A StatefulSet pod's identity and health, and the set's status (k/k pkg/controller/statefulset
// stateful_set_utils.go, stateful_set_control.go computeReplicaStatus). A pod is `<set>-<ordinal>` (no
// generateName: a deleted pod comes back under the same name, with a new UID), its hostname is that name and its
// subdomain the set's serviceName; labels add `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index`
// and `controller-revision-hash` = the full name of the revision it was made from.
import type { ControllerRevision, OwnerReference, Pod } from '@podling/api';
import { CONTROLLER_REVISION_HASH } from './controller-history.ts';
import { isPodAvailable, isPodReady, isPodTerminal } from './pod-state.ts';
import { podFromTemplate } from './pod-template.ts';
import type { PodTemplate, StatefulSet } from './workload-types.ts';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The ordinal of a pod named `<set>-<n>`, or undefined for any other name (not a member of the set). */
export function ordinalOf(set: StatefulSet, pod: Pod): number | undefined {
  const prefix = `${set.metadata.name}-`;
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(prefix) || !/^(0|[1-9]\d*)$/.test(name.slice(prefix.length))) return undefined;
  return Number(name.slice(prefix.length));
}

export function statefulPod(set: StatefulSet, template: PodTemplate, ordinal: number, revision: string, ref: OwnerReference): Pod {
  const name = `${set.metadata.name}-${ordinal}`;
  const pod = podFromTemplate(template, set.metadata.namespace!, set.metadata.name!, ref, {
    labels: { [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [CONTROLLER_REVISION_HASH]: revision },
  });
  delete pod.metadata.generateName;
  pod.metadata.name = name;
  pod.spec.hostname = name;
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
  return pod;
}

export const revisionOfPod = (p: Pod) => p.metadata.labels?.[CONTROLLER_REVISION_HASH];
export const isTerminating = (p: Pod) => !!p.metadata.deletionTimestamp;
export const isRunningAndReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p);

/** Running, Ready (and available past minReadySeconds) and not terminating: what OrderedReady waits for. */
export function isHealthy(set: StatefulSet, p: Pod, now: number): boolean {
  return isRunningAndReady(p) && !isTerminating(p) && isPodAvailable(p, set.spec.minReadySeconds ?? 0, now);
}

export const needsRecreate = (p: Pod) => isPodTerminal(p);

export interface StatefulSetStatusFields {
  observedGeneration?: number; replicas: number; readyReplicas: number; currentReplicas: number; updatedReplicas: number;
  availableReplicas: number; currentRevision: string; updateRevision: string; collisionCount?: number;
}

export function statefulSetStatus(set: StatefulSet, pods: Pod[], current: ControllerRevision, update: ControllerRevision, now: number): StatefulSetStatusFields {
  const s: StatefulSetStatusFields = {
    replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0,
    currentRevision: current.metadata.name!, updateRevision: update.metadata.name!,
  };
  if (set.metadata.generation !== undefined) s.observedGeneration = set.metadata.generation;
  if (set.status?.collisionCount !== undefined) s.collisionCount = set.status.collisionCount;
  for (const p of pods) {
    if (p.status?.phase) s.replicas++;
    if (isRunningAndReady(p)) {
      s.readyReplicas++;
      if (isPodAvailable(p, set.spec.minReadySeconds ?? 0, now)) s.availableReplicas++;
    }
    if (!p.status?.phase || isTerminating(p)) continue;
    if (revisionOfPod(p) === s.currentRevision) s.currentReplicas++;
    if (revisionOfPod(p) === s.updateRevision) s.updatedReplicas++;
  }
  // completeRollingUpdate: every pod runs the update revision and is ready, so it becomes the current one.
  if (set.spec.updateStrategy?.type !== 'OnDelete' && s.updatedReplicas === s.replicas && s.readyReplicas === s.replicas) {
    s.currentRevision = s.updateRevision;
    s.currentReplicas = s.updatedReplicas;
  }
  return s;
}
