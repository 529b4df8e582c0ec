// The default scheduler's decision for one pod, as a pure function of the pod, the nodes and the pods already
// placed. Filters run per node in kube-scheduler's default plugin order and stop at the first that fails
// (NodeUnschedulable, TaintToleration, NodeAffinity, then our readiness check, then NodeResourcesFit, which
// reports every resource that falls short); the reasons carry the plugins' texts so the summary reads like
// Kubernetes'. Scoring is NodeResourcesLeastAllocated over cpu and memory (equal weights, integer 0–100).
// NodeAffinity covers nodeSelector and the required node affinity terms (labels and `metadata.name` fields).
// Each node comes as a NodeInfo (node-infos.ts): its view and what is on it, kept from pod events (node-usage.ts),
// so a decision costs one pass over the nodes it looks at and none over the pods; on big clusters it stops after
// enough feasible nodes, as kube-scheduler's percentageOfNodesToScore does.
// Not modelled: preferred affinity, pod (anti-)affinity, host ports, preemption (so no "preemption: …" suffix),
// extended resources.
import type { Node, Pod, Taint, Toleration } from '@podling/api';
import { nodeAffinityOf, podMatchesNodeConstraints } from './node-affinity.ts';
import { podRequests, type Resources } from './resources.ts';
import type { NodeUsage } from './node-usage.ts';
import type { NodeInfo } from './node-infos.ts';
import { isNodeReady, nodeView, type NodeView } from './node-view.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

export const reasons = {
  unschedulable: 'node(s) were unschedulable',
  notReady: 'node(s) were not ready',
  selector: "node(s) didn't match Pod's node affinity/selector",
  taint: (t: Taint) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`,
  tooManyPods: 'Too many pods',
  insufficient: (resource: string) => `Insufficient ${resource}`,
};

/** k/k ErrNoNodesAvailable: the whole message when the cluster has no nodes at all. */
export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Whether the default scheduler should place this pod now. */
export function needsScheduling(pod: Pod): boolean {
  return !pod.spec.nodeName
    && (pod.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME) === DEFAULT_SCHEDULER_NAME
    && !pod.metadata.deletionTimestamp
    && !isTerminal(pod)
    && (pod.spec.schedulingGates?.length ?? 0) === 0;
}

/** v1helper.TolerationsTolerateTaint: an empty key with Exists tolerates everything; an empty effect any effect. */
export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key && t.key !== taint.key) return false;
    if (!t.key && t.operator !== 'Exists') return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

export { isNodeReady };

/** Why `pod` cannot go to `node`, given what the non-terminal pods already there use (empty = it fits). */
export function filterNode(pod: Pod, node: Node, usage: NodeUsage): string[] {
  return [...filterView(podFacts(pod), nodeView(node), usage)];
}

/** What every filter and score of one decision reads of the pod, computed once per decision. */
interface PodFacts {
  pod: Pod;
  tolerations: Toleration[] | undefined;
  toleratesUnschedulable: boolean;
  /** Has a nodeSelector or a required node affinity (most pods have neither, and skip that filter). */
  constrained: boolean;
  /** Exact requests (NodeResourcesFit) and with the scoring defaults (NodeResourcesLeastAllocated). */
  want: Resources;
  own: Resources;
}

function podFacts(pod: Pod): PodFacts {
  const tolerations = pod.spec.tolerations;
  return {
    pod, tolerations,
    toleratesUnschedulable: tolerates(tolerations, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }),
    constrained: Object.keys(pod.spec.nodeSelector ?? {}).length > 0 || nodeAffinityOf(pod)?.requiredDuringSchedulingIgnoredDuringExecution !== undefined,
    want: podRequests(pod), own: podRequests(pod, true),
  };
}

const FITS: readonly string[] = Object.freeze([]);

/** The filters in plugin order on precomputed facts; a node that fits costs no allocation. */
function filterView(p: PodFacts, v: NodeView, u: NodeUsage): readonly string[] {
  if (v.unschedulable && !p.toleratesUnschedulable) return [reasons.unschedulable];
  for (const t of v.blockingTaints) if (!tolerates(p.tolerations, t)) return [reasons.taint(t)];
  if (p.constrained && !podMatchesNodeConstraints(p.pod, v.node)) return [reasons.selector];
  if (!v.ready) return [reasons.notReady];
  // NodeResourcesFit: pod count first, then each resource the pod requests that the node no longer has.
  const a = v.allocatable;
  const pods = u.pods + 1 > a.pods;
  const cpu = p.want.milliCpu > 0 && p.want.milliCpu > a.milliCpu - u.requested.milliCpu;
  const memory = p.want.memory > 0 && p.want.memory > a.memory - u.requested.memory;
  if (!pods && !cpu && !memory) return FITS;
  const out: string[] = [];
  if (pods) out.push(reasons.tooManyPods);
  if (cpu) out.push(reasons.insufficient('cpu'));
  if (memory) out.push(reasons.insufficient('memory'));
  return out;
}

const MAX_NODE_SCORE = 100;

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** LeastAllocated score of a node once the pod is added, using the non-zero request defaults. */
function score(p: PodFacts, v: NodeView, u: NodeUsage): number {
  const cpu = leastRequested(u.nonZero.milliCpu + p.own.milliCpu, v.allocatable.milliCpu);
  const mem = leastRequested(u.nonZero.memory + p.own.memory, v.allocatable.memory);
  return Math.floor((cpu + mem) / 2);
}

/**
 * k/k FitError.Error(): `0/<n> nodes are available: <histogram>.` where the histogram counts each reason over
 * nodes as "<count> <reason>" and sorts those strings (so the order is lexicographic, counts included).
 */
export function unschedulableMessage(nodeCount: number, reasonsPerNode: string[][]): string {
  if (nodeCount === 0) return NO_NODES_MESSAGE;
  const counts = new Map<string, number>();
  for (const rs of reasonsPerNode) for (const r of rs) counts.set(r, (counts.get(r) ?? 0) + 1);
  const histogram = [...counts].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${nodeCount} nodes are available` + (histogram.length ? `: ${histogram.join(', ')}.` : '.');
}

export type ScheduleResult =
  | { nodeName: string; score: number; examined: number }
  | { nodeName?: undefined; message: string; reasons: Map<string, string[]>; examined: number };

/** kube-scheduler's numFeasibleNodesToFind with the default adaptive percentage: every node below 100, else
 *  (50 − nodes/125)% of them, at least 5% and at least 100. */
export function feasibleNodesToFind(nodeCount: number): number {
  if (nodeCount < 100) return nodeCount;
  const percent = Math.max(5, 50 - Math.floor(nodeCount / 125));
  return Math.max(100, Math.floor((nodeCount * percent) / 100));
}

/**
 * Picks the node for `pod`. Each NodeInfo's usage is what the non-terminal pods on the node use (including pods
 * this scheduler has bound but not yet seen come back). Nodes are examined from `start` on, round the list, until
 * feasibleNodesToFind of them fit (the caller moves `start` on by `examined`, as kube-scheduler does, so every node
 * gets its turn). Ties on score go to the node with fewer pods, then the name, so placement is deterministic
 * (kube-scheduler breaks ties at random). Filters and scores read per-node views (node-view.ts) and the pod's
 * facts computed once; a node's reasons are only spelled out when it fails.
 */
export function schedulePod(pod: Pod, nodes: readonly NodeInfo[], start = 0): ScheduleResult {
  const failed = new Map<string, string[]>();
  const want = feasibleNodesToFind(nodes.length);
  const p = podFacts(pod);
  let feasible = 0;
  let examined = 0;
  let best: { nodeName: string; score: number; pods: number } | undefined;
  for (; examined < nodes.length && feasible < want; examined++) {
    const { view: v, usage: onNode } = nodes[(start + examined) % nodes.length];
    const why = filterView(p, v, onNode);
    if (why !== FITS) { failed.set(v.name, [...why]); continue; }
    feasible++;
    const s = score(p, v, onNode);
    const better = !best || s > best.score
      || (s === best.score && (onNode.pods < best.pods || (onNode.pods === best.pods && v.name < best.nodeName)));
    if (better) best = { nodeName: v.name, score: s, pods: onNode.pods };
  }
  if (best) return { nodeName: best.nodeName, score: best.score, examined };
  return { message: unschedulableMessage(nodes.length, [...failed.values()]), reasons: failed, examined };
}
