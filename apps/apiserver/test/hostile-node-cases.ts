// What a node may and may not do with its own token (Kubernetes' Node authorizer plus the NodeRestriction
// admission plugin, plugin/pkg/admission/noderestriction/admission.go): one row per request, with the code it must
// get. The fixtures (hostile-node.test.ts) are nodes n1 and n2, registered by themselves; n1 carries an admin's
// taint, cordon and node-restriction label; pods on-n1 and on-n2 are bound to them.

export type Who = 'n1' | 'admin';

export interface NodeCase {
  what: string;
  who: Who;
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  code: number;
  /** A substring the Status message must contain. */
  message?: string;
}

export const NS = 'default';
export const PODS = `/api/v1/namespaces/${NS}/pods`;
export const NODE_LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
export const ADMIN_TAINT = { key: 'dedicated', value: 'infra', effect: 'NoSchedule' };
export const ADMIN_LABEL = 'node-restriction.kubernetes.io/pool';

const MP = 'application/merge-patch+json';
const JP = 'application/json-patch+json';
const labels = (l: Record<string, string | null>) => ({ metadata: { labels: l } });

export const NODE_CASES: NodeCase[] = [
  // Its own Node: only kubelet labels, never taints or the cordon.
  { what: 'a node may not point kubernetes.io/hostname at another node', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: labels({ 'kubernetes.io/hostname': 'n2' }), contentType: MP, code: 403, message: 'kubernetes.io/hostname' },
  { what: 'a node may not add a node-restriction.kubernetes.io label', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: labels({ 'node-restriction.kubernetes.io/tier': 'secure' }), contentType: MP, code: 403,
    message: 'is not allowed to modify labels: node-restriction.kubernetes.io/tier' },
  { what: 'a node may not remove the node-restriction.kubernetes.io label an admin set', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: labels({ [ADMIN_LABEL]: null }), contentType: MP, code: 403, message: ADMIN_LABEL },
  { what: 'a node may not set a kubernetes.io label outside the kubelet set', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: labels({ 'kubernetes.io/role': 'master' }), contentType: MP, code: 403, message: 'kubernetes.io/role' },
  { what: 'a node may not set a k8s.io label outside the kubelet set', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: labels({ 'example.k8s.io/x': 'y' }), contentType: MP, code: 403, message: 'example.k8s.io/x' },
  { what: 'a node may not set node-role.kubernetes.io labels', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: labels({ 'node-role.kubernetes.io/control-plane': '' }), contentType: MP, code: 403, message: 'node-role.kubernetes.io/control-plane' },
  { what: 'a node may set labels under node.kubernetes.io/', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: labels({ 'node.kubernetes.io/instance-type': 'small' }), contentType: MP, code: 200 },
  { what: 'a node may set labels under kubelet.kubernetes.io/', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: labels({ 'kubelet.kubernetes.io/flavour': 'podling' }), contentType: MP, code: 200 },
  { what: 'a node may set topology.kubernetes.io/zone', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: labels({ 'topology.kubernetes.io/zone': 'z1' }), contentType: MP, code: 200 },
  { what: 'a node may set a label outside the Kubernetes namespaces', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: labels({ 'example.com/disk': 'ssd' }), contentType: MP, code: 200 },
  { what: 'a node may not remove the taints an admin set', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: { spec: { taints: [] } }, contentType: MP, code: 403, message: 'node "n1" is not allowed to modify taints' },
  { what: 'a node may not remove a taint with a JSON patch', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: [{ op: 'remove', path: '/spec/taints/0' }], contentType: JP, code: 403, message: 'taints' },
  { what: 'a node may not uncordon itself', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: { spec: { unschedulable: false } }, contentType: MP, code: 403, message: 'node "n1" is not allowed to modify spec.unschedulable' },
  { what: 'a node may not relabel itself through nodes/status', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1/status',
    body: labels({ 'node-restriction.kubernetes.io/tier': 'secure' }), contentType: MP, code: 403, message: 'node-restriction.kubernetes.io/tier' },
  { what: 'a node may heartbeat its own status', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1/status',
    body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } }, contentType: MP, code: 200 },

  // Pod ranges (issue 19): the node IPAM controller sets spec.podCIDRs once; no node picks its own.
  { what: 'issue 19: a node may not give itself a pod range', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: { spec: { podCIDR: '10.244.9.0/24' } }, contentType: MP, code: 403, message: 'node "n1" is not allowed to modify spec.podCIDRs' },
  { what: 'issue 19: a node may not register itself with a pod range', who: 'n1', method: 'POST', path: '/api/v1/nodes',
    body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDRs: ['10.244.9.0/24'] } }, code: 403,
    message: 'node "n1" is not allowed to set spec.podCIDRs' },
  { what: 'issue 19: the control plane may give a node its pod range once', who: 'admin', method: 'PATCH', path: '/api/v1/nodes/n2',
    body: { spec: { podCIDR: '10.244.7.0/24' } }, contentType: MP, code: 200 },
  { what: 'issue 19: a pod range, once set, may not change', who: 'admin', method: 'PATCH', path: '/api/v1/nodes/n2',
    body: { spec: { podCIDRs: ['10.244.8.0/24'] } }, contentType: MP, code: 422,
    message: 'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid' },
  { what: 'issue 19: a pod range must be a CIDR', who: 'admin', method: 'PATCH', path: '/api/v1/nodes/n1',
    body: { spec: { podCIDRs: ['10.244.300.0/24'] } }, contentType: MP, code: 422,
    message: 'spec.podCIDRs[0]: Invalid value: "10.244.300.0/24": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)' },

  // Other nodes.
  { what: 'a node may not patch another node', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n2',
    body: labels({ a: 'b' }), contentType: MP, code: 403 },
  { what: 'a node may not patch another node\'s status', who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n2/status',
    body: { status: {} }, contentType: MP, code: 403 },
  { what: 'a node may not delete another node', who: 'n1', method: 'DELETE', path: '/api/v1/nodes/n2', code: 403 },
  { what: 'a node may not delete its own node', who: 'n1', method: 'DELETE', path: '/api/v1/nodes/n1', code: 403 },
  { what: 'a node may not register a Node under another name', who: 'n1', method: 'POST', path: '/api/v1/nodes',
    body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3' } }, code: 403, message: 'node "n1" is not allowed to modify node "n3"' },
  { what: 'a node may not register a Node by generateName', who: 'n1', method: 'POST', path: '/api/v1/nodes',
    body: { apiVersion: 'v1', kind: 'Node', metadata: { generateName: 'n' } }, code: 403 },

  // Pods: status and delete of pods bound to it, nothing else.
  { what: 'a node may not write the status of a pod bound to another node', who: 'n1', method: 'PATCH', path: `${PODS}/on-n2/status`,
    body: { status: { message: 'mine' } }, contentType: MP, code: 403,
    message: 'pods "on-n2" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself' },
  { what: 'a node may not change labels through pod status', who: 'n1', method: 'PATCH', path: `${PODS}/on-n1/status`,
    body: { metadata: { labels: { stolen: 'yes' } } }, contentType: MP, code: 403,
    message: 'node "n1" cannot update labels through pod status' },
  { what: 'a node may not delete a pod bound to another node', who: 'n1', method: 'DELETE', path: `${PODS}/on-n2`, code: 403,
    message: 'node "n1" can only delete pods with spec.nodeName set to itself' },
  { what: 'a node may not patch a pod spec', who: 'n1', method: 'PATCH', path: `${PODS}/on-n1`,
    body: labels({ a: 'b' }), contentType: MP, code: 403 },
  { what: 'a node may not create a pod', who: 'n1', method: 'POST', path: PODS,
    body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sneaky' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } }, code: 403 },
  { what: 'a node may not bind a pod', who: 'n1', method: 'POST', path: `${PODS}/unbound/binding`,
    body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'unbound' }, target: { kind: 'Node', name: 'n1' } }, code: 403 },
  { what: 'a node may not delete a collection of pods', who: 'n1', method: 'DELETE', path: PODS, code: 403 },

  // Missing objects are 404 for a node as for anyone (issue 14.11): the agent stops retrying at once.
  { what: 'a node reading a missing pod gets 404', who: 'n1', method: 'GET', path: `${PODS}/gone`, code: 404 },
  { what: 'a node patching the status of a missing pod gets 404', who: 'n1', method: 'PATCH', path: `${PODS}/gone/status`,
    body: { status: { phase: 'Failed' } }, contentType: MP, code: 404, message: 'pods "gone" not found' },
  { what: 'a node updating the status of a missing pod gets 404', who: 'n1', method: 'PUT', path: `${PODS}/gone/status`,
    body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'gone', namespace: NS }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, status: {} },
    code: 404, message: 'pods "gone" not found' },
  { what: 'a node deleting a missing pod gets 404', who: 'n1', method: 'DELETE', path: `${PODS}/gone`, code: 404 },

  // Leases: its own, in kube-node-lease.
  { what: 'a node may not create a lease named after another node', who: 'n1', method: 'POST', path: NODE_LEASES,
    body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n2' }, spec: { holderIdentity: 'n2' } }, code: 403,
    message: 'can only access node lease with the same name as the requesting node' },
  { what: 'a node may not renew another node\'s lease', who: 'n1', method: 'PATCH', path: `${NODE_LEASES}/n2`,
    body: { spec: { holderIdentity: 'n1' } }, contentType: MP, code: 403 },
];
