// What the pods on each node request, kept up to date from pod events instead of summed over every pod for every
// decision (kube-scheduler's NodeInfo in its cache): per node the pod count, the sum of exact requests (for the
// fit filter) and of non-zero requests (for scoring). Each pod's last contribution is remembered, so an update
// subtracts the old one and adds the new; terminal pods and pods without a node contribute nothing.
import type { Pod } from '@podling/api';
import { podRequests, type Resources } from './resources.ts';
import { isTerminal } from './scheduling-algorithm.ts';

export interface NodeUsage {
  pods: number;
  /** Sum of the pods' requests (NodeResourcesFit). */
  requested: Resources;
  /** Sum with the scoring defaults for missing requests (NodeResourcesLeastAllocated). */
  nonZero: Resources;
}

export const EMPTY_USAGE: NodeUsage = Object.freeze({ pods: 0, requested: { milliCpu: 0, memory: 0 }, nonZero: { milliCpu: 0, memory: 0 } }) as NodeUsage;

interface Contribution { node: string; requested: Resources; nonZero: Resources }

export class NodeUsageCache {
  private readonly byPod = new Map<string, Contribution>();
  private readonly byNode = new Map<string, NodeUsage>();
  /** Nodes whose usage object a caller holds (node-infos.ts): kept at zero pods, so the reference stays live. */
  private readonly held = new Set<string>();

  /** The usage of `node` now (EMPTY_USAGE when nothing is there). */
  usage(node: string): NodeUsage {
    return this.byNode.get(node) ?? EMPTY_USAGE;
  }

  /** The object that keeps `node`'s usage, updated in place by every later set/remove until release(node). */
  hold(node: string): NodeUsage {
    this.held.add(node);
    return this.entry(node);
  }

  release(node: string): void {
    this.held.delete(node);
    if (this.byNode.get(node)?.pods === 0) this.byNode.delete(node);
  }

  /** Counts `pod` (key `key`) on `node`, replacing what it counted before; no node or a terminal pod: removes it. */
  set(key: string, pod: Pod, node = pod.spec.nodeName): void {
    this.remove(key);
    if (!node || isTerminal(pod)) return;
    const c: Contribution = { node, requested: podRequests(pod), nonZero: podRequests(pod, true) };
    this.byPod.set(key, c);
    this.apply(c, 1);
  }

  remove(key: string): void {
    const c = this.byPod.get(key);
    if (!c) return;
    this.byPod.delete(key);
    this.apply(c, -1);
  }

  /** The node `key` is counted on, if any. */
  nodeOf(key: string): string | undefined {
    return this.byPod.get(key)?.node;
  }

  private entry(node: string): NodeUsage {
    let u = this.byNode.get(node);
    if (!u) this.byNode.set(node, (u = { pods: 0, requested: { milliCpu: 0, memory: 0 }, nonZero: { milliCpu: 0, memory: 0 } }));
    return u;
  }

  private apply(c: Contribution, sign: 1 | -1): void {
    const u = this.entry(c.node);
    u.pods += sign;
    u.requested.milliCpu += sign * c.requested.milliCpu;
    u.requested.memory += sign * c.requested.memory;
    u.nonZero.milliCpu += sign * c.nonZero.milliCpu;
    u.nonZero.memory += sign * c.nonZero.memory;
    if (u.pods === 0 && !this.held.has(c.node)) this.byNode.delete(c.node);
  }
}

/** The usage of a list of pods (tests, and callers that hold pods rather than a cache). */
export function usageOf(pods: Pod[]): NodeUsage {
  const cache = new NodeUsageCache();
  pods.forEach((p, i) => cache.set(String(i), p, 'n'));
  return cache.usage('n');
}
