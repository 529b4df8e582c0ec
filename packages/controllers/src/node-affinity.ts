// Whether a pod's node constraints admit a node: `spec.nodeSelector` (every pair) and the required node affinity
// (k/k staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity). Node selector terms are ORed, the
// requirements inside a term ANDed, and a term without requirements matches nothing. Label expressions take In,
// NotIn, Exists, DoesNotExist, Gt and Lt; field expressions only `metadata.name` with In or NotIn — what the
// DaemonSet controller pins its pods with. The scheduler's NodeAffinity filter and the DaemonSet controller's
// node eligibility both ask this one function.
import type { Node, Pod } from '@podling/api';

export interface NodeSelectorRequirement { key: string; operator: string; values?: string[] }
export interface NodeSelectorTerm { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }
export interface NodeAffinity { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } }

export function nodeAffinityOf(pod: Pod): NodeAffinity | undefined {
  return (pod.spec.affinity as { nodeAffinity?: NodeAffinity } | undefined)?.nodeAffinity;
}

function labelRequirement(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  switch (r.operator) {
    case 'In': return has && (r.values ?? []).includes(v);
    case 'NotIn': return !has || !(r.values ?? []).includes(v);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt':
    case 'Lt': {
      // Both sides must be integers; anything else never matches.
      if (!has || !/^-?\d+$/.test(v) || r.values?.length !== 1 || !/^-?\d+$/.test(r.values[0])) return false;
      return r.operator === 'Gt' ? Number(v) > Number(r.values[0]) : Number(v) < Number(r.values[0]);
    }
    default: return false;
  }
}

function fieldRequirement(r: NodeSelectorRequirement, node: Node): boolean {
  if (r.key !== 'metadata.name') return false;
  const inValues = (r.values ?? []).includes(node.metadata.name ?? '');
  if (r.operator === 'In') return inValues;
  if (r.operator === 'NotIn') return !inValues;
  return false;
}

export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata.labels ?? {};
  return exprs.every((r) => labelRequirement(r, labels)) && fields.every((r) => fieldRequirement(r, node));
}

/** nodeSelector and required node affinity both admit `node`. */
export function podMatchesNodeConstraints(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  if (Object.entries(pod.spec.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) return false;
  const terms = nodeAffinityOf(pod)?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined) return true;
  return terms.some((t) => termMatches(t, node));
}

/** The one node a pod is pinned to by a `metadata.name In [node]` field term (a DaemonSet pod), if any. */
export function pinnedNodeName(pod: Pod): string | undefined {
  const terms = nodeAffinityOf(pod)?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) {
    for (const f of t.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}
