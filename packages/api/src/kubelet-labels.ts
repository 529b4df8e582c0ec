// Which labels a node may set on its own Node: Kubernetes' NodeRestriction rule (getForbiddenLabels in
// plugin/pkg/admission/noderestriction/admission.go, the kubelet set in k8s.io/kubelet pkg/apis/well_known_labels.go).
// Labels steer workloads (nodeSelector, affinity), so a node that could set them at will could draw pods meant for
// other nodes: it may not touch node-restriction.kubernetes.io/ labels, nor kubernetes.io / k8s.io labels outside
// the kubelet's own set. Anything outside those namespaces is its own business.
//
// One rule stricter than Kubernetes: kubernetes.io/hostname may only name the node itself. A kubelet may set it
// (it can run with --hostname-override), but a Podling agent always sets it to its node name, so any other value
// only serves to impersonate another node for pods pinned there with a hostname selector.

/** Exact keys a kubelet may set, whatever their namespace. */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
]);

/** Namespaces (and their subdomains) a kubelet may set any key in. */
const KUBELET_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];
const NODE_RESTRICTION_NAMESPACE = 'node-restriction.kubernetes.io';
const HOSTNAME_LABEL = 'kubernetes.io/hostname';

type Labels = Record<string, string> | undefined;

/**
 * The label keys (sorted) that `labels` adds, removes or changes relative to `old` and a node named `nodeName`
 * may not; empty when the change is allowed. For a create, `old` is undefined.
 */
export function forbiddenNodeLabels(nodeName: string, labels: Labels, old: Labels): string[] {
  const forbidden: string[] = [];
  for (const key of modifiedKeys(labels ?? {}, old ?? {})) {
    const ns = namespaceOf(key);
    if (inNamespace(ns, NODE_RESTRICTION_NAMESPACE)) forbidden.push(key);
    else if (isKubernetesNamespace(ns) && !isKubeletLabel(key, ns)) forbidden.push(key);
    else if (key === HOSTNAME_LABEL && labels?.[key] !== undefined && labels[key] !== nodeName) forbidden.push(key);
  }
  return forbidden.sort();
}

function modifiedKeys(a: Record<string, string>, b: Record<string, string>): Set<string> {
  const out = new Set<string>();
  for (const k of Object.keys(a)) if (!Object.hasOwn(b, k) || a[k] !== b[k]) out.add(k);
  for (const k of Object.keys(b)) if (!Object.hasOwn(a, k)) out.add(k);
  return out;
}

function isKubeletLabel(key: string, ns: string): boolean {
  return KUBELET_LABELS.has(key) || KUBELET_NAMESPACES.some((allowed) => inNamespace(ns, allowed));
}

function isKubernetesNamespace(ns: string): boolean {
  return inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
}

/** `ns` is `parent` or one of its subdomains. */
function inNamespace(ns: string, parent: string): boolean {
  return ns === parent || ns.endsWith(`.${parent}`);
}

/** The prefix of a label key ("" when it has none). */
function namespaceOf(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}
