// The arithmetic of a Deployment rollout (k/k pkg/controller/deployment/util/deployment_util.go, rolling.go,
// sync.go), as pure functions over ReplicaSets so decision tests need no cluster:
//   maxSurge rounds up, maxUnavailable rounds down, and both 0 means maxUnavailable 1;
//   the new RS grows while Σ spec.replicas < replicas + maxSurge;
//   old RSs shrink, oldest first, first by their unavailable pods, then while Σ available > replicas − maxUnavailable.
import type { Deployment, IntOrString, ReplicaSet } from './workload-types.ts';

export const replicasOf = (rs: ReplicaSet) => rs.spec.replicas ?? 0;
export const availableOf = (rs: ReplicaSet) => rs.status?.availableReplicas ?? 0;
export const sumReplicas = (rss: ReplicaSet[]) => rss.reduce((n, rs) => n + replicasOf(rs), 0);
export const sumAvailable = (rss: ReplicaSet[]) => rss.reduce((n, rs) => n + availableOf(rs), 0);
export const desiredReplicas = (d: Deployment) => d.spec.replicas ?? 1;

/** An int, or a percentage of `total` rounded up or down (intstr.GetScaledValueFromIntOrPercent). */
export function scaled(v: IntOrString | undefined, total: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) return Number(x) || 0;
  const f = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(f) : Math.floor(f);
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** ResolveFenceposts: [maxSurge, maxUnavailable]. */
export function fenceposts(d: Deployment): [number, number] {
  const ru = d.spec.strategy?.rollingUpdate;
  const n = desiredReplicas(d);
  const surge = scaled(ru?.maxSurge, n, true, '25%');
  const unavailable = scaled(ru?.maxUnavailable, n, false, '25%');
  return surge === 0 && unavailable === 0 ? [0, 1] : [surge, unavailable];
}

/** MaxUnavailable: 0 for Recreate or 0 replicas, never above replicas. */
export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || desiredReplicas(d) === 0) return 0;
  return Math.min(fenceposts(d)[1], desiredReplicas(d));
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d)[0] : 0;
}

/** NewRSNewReplicas: how big the new RS may be now. */
export function newRSReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return desiredReplicas(d);
  const maxTotal = desiredReplicas(d) + maxSurge(d);
  const current = sumReplicas(all);
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, desiredReplicas(d) - replicasOf(newRS));
}

const byAge = (a: ReplicaSet, b: ReplicaSet) =>
  (Date.parse(a.metadata.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata.creationTimestamp ?? '') || 0) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

export type ScaleStep = { rs: ReplicaSet; to: number };

/**
 * reconcileOldReplicaSets as a plan: the old RSs to shrink and to what, or [] when availability forbids it.
 * Applies the steps to the given objects' spec.replicas as it plans, like the Go code updates its pointers.
 */
export function oldReplicaSetScaleDown(d: Deployment, oldRSs: ReplicaSet[], newRS: ReplicaSet | undefined): ScaleStep[] {
  if (sumReplicas(oldRSs) === 0) return [];
  const all = newRS ? [...oldRSs, newRS] : oldRSs;
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = newRS ? replicasOf(newRS) - availableOf(newRS) : 0;
  const maxScaledDown = sumReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];
  const steps: ScaleStep[] = [];
  const sorted = [...oldRSs].sort(byAge);
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = replicasOf(rs) - availableOf(rs);
    if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    rs.spec.replicas = replicasOf(rs) - n;
    steps.push({ rs, to: rs.spec.replicas });
    cleaned += n;
  }
  const available = sumAvailable(all);
  if (available <= minAvailable) return steps;
  const total = available - minAvailable;
  let done = 0;
  for (const rs of sorted) {
    if (done >= total) break;
    if (replicasOf(rs) === 0) continue;
    const n = Math.min(replicasOf(rs), total - done);
    rs.spec.replicas = replicasOf(rs) - n;
    const prior = steps.find((s) => s.rs === rs);
    if (prior) prior.to = rs.spec.replicas; else steps.push({ rs, to: rs.spec.replicas });
    done += n;
  }
  return steps;
}

export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

/**
 * Proportional scaling (sync.go scale) for a scaling event with several active RSs: each gets a share of the
 * change in proportion to its size, the leftover going to the largest. Returns the new sizes.
 */
export function proportionalScale(d: Deployment, active: ReplicaSet[], deploymentStatusReplicas: number): ScaleStep[] {
  const allowed = desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowed - sumReplicas(active);
  if (toAdd === 0) return [];
  const created = (rs: ReplicaSet) => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
  const sorted = [...active].sort((a, b) => replicasOf(b) - replicasOf(a) || (toAdd > 0 ? created(b) - created(a) : created(a) - created(b)));
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of sorted) {
    let share = 0;
    if (replicasOf(rs) > 0) {
      if (allowed === 0) share = -replicasOf(rs);
      else {
        const max = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? deploymentStatusReplicas) || deploymentStatusReplicas;
        share = max > 0 ? roundHalfAway((replicasOf(rs) * allowed) / max) - replicasOf(rs) : 0;
      }
      share = toAdd > 0 ? Math.min(share, toAdd - added) : Math.max(share, toAdd - added);
    }
    added += share;
    sizes.set(rs, replicasOf(rs) + share);
  }
  if (sorted.length && added !== toAdd) sizes.set(sorted[0], Math.max(0, sizes.get(sorted[0])! + toAdd - added));
  return sorted.filter((rs) => sizes.get(rs) !== replicasOf(rs)).map((rs) => ({ rs, to: sizes.get(rs)! }));
}

function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}
