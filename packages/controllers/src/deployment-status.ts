// A Deployment's status and conditions (k/k pkg/controller/deployment/sync.go calculateStatus, progress.go):
// counts summed over its ReplicaSets; Available by replicas − maxUnavailable; Progressing refreshed whenever the
// rollout moves, NewReplicaSetAvailable once complete, ProgressDeadlineExceeded when it stood still for
// progressDeadlineSeconds (reported only: the rollout goes on). A condition keeps its lastTransitionTime while its
// status stays the same.
import { rfc3339 } from '@podling/api';
import { desiredReplicas, maxUnavailable, sumAvailable } from './deployment-math.ts';
import type { Deployment, DeploymentCondition, ReplicaSet } from './workload-types.ts';

export type DeploymentStatus = NonNullable<Deployment['status']>;

const stamp = (ms: number) => rfc3339(ms);

export function condition(type: string, status: string, reason: string, message: string, now: number): DeploymentCondition {
  return { type, status, reason, message, lastUpdateTime: stamp(now), lastTransitionTime: stamp(now) };
}

export function getCondition(s: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition: same status and reason → unchanged; same status → keep lastTransitionTime. */
export function setCondition(s: DeploymentStatus, c: DeploymentCondition): void {
  const cur = getCondition(s, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c.lastTransitionTime = cur.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), c];
}

export function removeCondition(s: DeploymentStatus, type: string): void {
  if (s.conditions) s.conditions = s.conditions.filter((c) => c.type !== type);
}

export function hasProgressDeadline(d: Deployment): boolean {
  return (d.spec.progressDeadlineSeconds ?? 600) !== 2147483647;
}

export function calculateStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  const sum = (f: (rs: ReplicaSet) => number | undefined) => all.reduce((n, rs) => n + (f(rs) ?? 0), 0);
  const available = sumAvailable(all);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: sum((rs) => rs.status?.replicas),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sum((rs) => rs.spec.replicas) - available),
    conditions: [...(d.status?.conditions ?? [])].map((c) => ({ ...c })),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now));
  }
  return status;
}

export function isComplete(d: Deployment, s: DeploymentStatus): boolean {
  const n = desiredReplicas(d);
  return s.updatedReplicas === n && s.replicas === n && s.availableReplicas === n && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

function isProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0)
    || (s.replicas ?? 0) - (s.updatedReplicas ?? 0) < (old.replicas ?? 0) - (old.updatedReplicas ?? 0)
    || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0)
    || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** When (ms) the rollout times out if nothing moves; undefined when no deadline applies. */
export function progressDeadlineAt(d: Deployment, s: DeploymentStatus): number | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const c = getCondition(s, 'Progressing');
  if (!c || c.reason === 'NewReplicaSetAvailable' || c.reason === 'ProgressDeadlineExceeded' || c.status !== 'True') return undefined;
  return Date.parse(c.lastUpdateTime ?? '') + (d.spec.progressDeadlineSeconds ?? 600) * 1000;
}

/** syncRolloutStatus's condition logic; returns the status to write. */
export function rolloutStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  const s = calculateStatus(d, all, newRS, now);
  if (!hasProgressDeadline(d)) { removeCondition(s, 'Progressing'); return s; }
  const cur = getCondition(s, 'Progressing');
  const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  if (cur?.reason !== 'ProgressDeadlineExceeded') {
    if (isComplete(d, s)) {
      setCondition(s, condition('Progressing', 'True', 'NewReplicaSetAvailable', `${subject} has successfully progressed.`, now));
    } else if (isProgressing(d, s)) {
      const c = condition('Progressing', 'True', 'ReplicaSetUpdated', `${subject} is progressing.`, now);
      if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
      removeCondition(s, 'Progressing');
      setCondition(s, c);
    } else {
      const at = progressDeadlineAt(d, s);
      if (at !== undefined && now > at) setCondition(s, condition('Progressing', 'False', 'ProgressDeadlineExceeded', `${subject} has timed out progressing.`, now));
    }
  }
  const failure = all.map((rs) => rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True')).find(Boolean);
  if (failure) setCondition(s, { type: 'ReplicaFailure', status: failure.status, reason: failure.reason, message: failure.message, lastUpdateTime: stamp(now), lastTransitionTime: stamp(now) });
  else removeCondition(s, 'ReplicaFailure');
  return s;
}
