// What a scheduling decision reads of a node, derived once per Node object (kube-scheduler's NodeInfo keeps the
// same, per node, in its snapshot): the informer replaces a Node object on every change and never mutates it, so
// NodeInfos (node-infos.ts) makes the view when the object arrives and every later decision reads it. A decision
// at 1,000 nodes looks at ~420 of them; reading the conditions list, the taints and the parsed allocatable once per
// node object instead of once per (pod, node) is what keeps a decision at a few µs per node.
import type { Node, Taint } from '@podling/api';
import { nodeAllocatable, type Allocatable } from './resources.ts';

export interface NodeView {
  readonly node: Node;
  readonly name: string;
  readonly ready: boolean;
  readonly unschedulable: boolean;
  /** Taints that keep pods off (NoSchedule, NoExecute); PreferNoSchedule only scores, which is not modelled. */
  readonly blockingTaints: readonly Taint[];
  readonly allocatable: Allocatable;
}

export function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

export function nodeView(node: Node): NodeView {
  return {
    node,
    name: node.metadata.name ?? '',
    ready: isNodeReady(node),
    unschedulable: node.spec?.unschedulable === true,
    blockingTaints: (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'),
    allocatable: nodeAllocatable(node),
  };
}
