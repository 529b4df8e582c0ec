// A DaemonSet's decisions as pure functions of the set, the nodes and its pods (k/k pkg/controller/daemon
// daemon_controller.go podsShouldBeOnNode, update.go rollingUpdate, updateDaemonSetStatus):
//   manage — a node that should run and has no pod gets one; failed pods are deleted (and replaced next sync);
//     extra pods on a node are deleted, keeping the oldest scheduled one (during a surge rollout, the oldest old
//     pod until the oldest new one is available); a node that must not keep running loses its pods, and an
//     unscheduled pod pinned to a node that is gone is deleted;
//   rollingUpdate (only once manage has nothing left to do) — maxSurge 0: delete old pods that are not available
//     at once and available ones while fewer than maxUnavailable nodes are down; maxSurge > 0: start a new pod
//     next to an old one on up to maxSurge nodes (at once where the old pod is unavailable);
//   status — counted per node that should run, on its oldest pod.
import type { Node, Pod } from '@podling/api';
import { nodeShouldRunDaemonPod, isUpdatedDaemonPod, oldestFirst, targetNodeOf } from './daemon-set-pods.ts';
import { scaled } from './deployment-math.ts';
import { isPodAvailable, isPodReady, isPodTerminal } from './pod-state.ts';
import type { DaemonSet } from './workload-types.ts';

export interface DaemonPlan { create: string[]; delete: Pod[]; failed: Pod[] }

export interface PlanInput { ds: DaemonSet; nodes: Node[]; pods: Pod[]; hash: string; now: number }

/** Pods per target node, without terminal pods already being deleted (k/k getNodesToDaemonPods). */
export function podsByNode(pods: Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    const node = targetNodeOf(p);
    if (!node || (isPodTerminal(p) && p.metadata.deletionTimestamp)) continue;
    out.set(node, [...(out.get(node) ?? []), p]);
  }
  return out;
}

const minReady = (ds: DaemonSet) => ds.spec.minReadySeconds ?? 0;
const isRolling = (ds: DaemonSet) => (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** [maxSurge, maxUnavailable] over the nodes that should run, both rounded up; 0/0 means unavailable 1. */
export function daemonFenceposts(ds: DaemonSet, desired: number): [number, number] {
  if (!isRolling(ds)) return [0, 1];
  const ru = ds.spec.updateStrategy?.rollingUpdate;
  const surge = scaled(ru?.maxSurge, desired, true, '0');
  const unavailable = scaled(ru?.maxUnavailable, desired, true, '1');
  return surge === 0 && unavailable === 0 ? [0, 1] : [surge, unavailable];
}

export function planManage(i: PlanInput): DaemonPlan {
  const plan: DaemonPlan = { create: [], delete: [], failed: [] };
  const byNode = podsByNode(i.pods);
  const desired = i.nodes.filter((n) => nodeShouldRunDaemonPod(i.ds, n).shouldRun).length;
  const surge = daemonFenceposts(i.ds, desired)[0] > 0;
  for (const node of i.nodes) {
    const name = node.metadata.name!;
    const pods = byNode.get(name) ?? [];
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(i.ds, node);
    if (shouldRun && pods.length === 0) plan.create.push(name);
    if (!shouldContinueRunning) {
      plan.delete.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
      continue;
    }
    const live: Pod[] = [];
    for (const p of pods) {
      if (p.metadata.deletionTimestamp) continue;
      if (p.status?.phase === 'Failed') { plan.failed.push(p); plan.delete.push(p); } else live.push(p);
    }
    if (live.length <= 1) continue;
    const sorted = oldestFirst(live);
    if (!surge) { plan.delete.push(...sorted.slice(1)); continue; }
    const oldestNew = sorted.find((p) => isUpdatedDaemonPod(p, i.hash));
    const oldestOld = sorted.find((p) => !isUpdatedDaemonPod(p, i.hash));
    if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady(i.ds), i.now))) plan.delete.push(oldestOld);
    plan.delete.push(...sorted.filter((p) => p !== oldestNew && p !== oldestOld));
  }
  const names = new Set(i.nodes.map((n) => n.metadata.name));
  for (const [node, pods] of byNode) {
    if (!names.has(node)) plan.delete.push(...pods.filter((p) => !p.spec.nodeName && !p.metadata.deletionTimestamp));
  }
  return plan;
}

export function planRollingUpdate(i: PlanInput): DaemonPlan {
  const plan: DaemonPlan = { create: [], delete: [], failed: [] };
  if (!isRolling(i.ds)) return plan;
  const byNode = podsByNode(i.pods);
  const wanted = i.nodes.filter((n) => nodeShouldRunDaemonPod(i.ds, n).shouldRun).map((n) => n.metadata.name!);
  const [maxSurge, maxUnavailable] = daemonFenceposts(i.ds, wanted.length);
  const available = (p: Pod) => isPodAvailable(p, minReady(i.ds), i.now);
  let busy = 0; // maxSurge 0: nodes without an available pod; maxSurge > 0: nodes in the middle of a surge
  const now: (Pod | string)[] = [];
  const candidates: (Pod | string)[] = [];
  for (const name of wanted) {
    const pods = (byNode.get(name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
    const fresh = pods.filter((p) => isUpdatedDaemonPod(p, i.hash));
    const old = pods.filter((p) => !isUpdatedDaemonPod(p, i.hash));
    if (fresh.length > 1 || old.length > 1) { busy++; continue; } // manage sorts out duplicates first
    const [newPod, oldPod] = [fresh[0], old[0]];
    if (maxSurge === 0) {
      if (!oldPod || newPod) { if (!(newPod && !oldPod && available(newPod))) busy++; continue; }
      (available(oldPod) ? candidates : now).push(oldPod);
    } else {
      if (!oldPod) continue;
      if (newPod) { busy++; continue; }
      (available(oldPod) ? candidates : now).push(name);
    }
  }
  const room = Math.max(0, (maxSurge === 0 ? maxUnavailable : maxSurge) - busy);
  const chosen = [...now, ...candidates.slice(0, room)];
  if (maxSurge === 0) plan.delete = chosen as Pod[]; else plan.create = chosen as string[];
  return plan;
}

export interface DaemonSetStatusFields {
  currentNumberScheduled: number; numberMisscheduled: number; desiredNumberScheduled: number; numberReady: number;
  observedGeneration?: number; updatedNumberScheduled: number; numberAvailable: number; numberUnavailable: number;
  collisionCount?: number;
}

export function daemonSetStatus(i: PlanInput): DaemonSetStatusFields {
  const byNode = podsByNode(i.pods.filter((p) => !p.metadata.deletionTimestamp));
  const s: DaemonSetStatusFields = {
    currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0,
    updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0,
  };
  for (const node of i.nodes) {
    const pods = oldestFirst(byNode.get(node.metadata.name!) ?? []);
    if (!nodeShouldRunDaemonPod(i.ds, node).shouldRun) {
      if (pods.length) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    if (!pods.length) continue;
    s.currentNumberScheduled++;
    const p = pods[0];
    if (isPodReady(p)) s.numberReady++;
    if (isPodAvailable(p, minReady(i.ds), i.now)) s.numberAvailable++;
    if (isUpdatedDaemonPod(p, i.hash)) s.updatedNumberScheduled++;
  }
  s.numberUnavailable = s.desiredNumberScheduled - s.numberAvailable;
  if (i.ds.metadata.generation !== undefined) s.observedGeneration = i.ds.metadata.generation;
  if (i.ds.status?.collisionCount !== undefined) s.collisionCount = i.ds.status.collisionCount;
  return s;
}
