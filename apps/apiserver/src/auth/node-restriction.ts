// The NodeRestriction admission plugin (kubernetes plugin/pkg/admission/noderestriction/admission.go): what a node,
// writing with its own identity (system:node:<name> in system:nodes), may change. The authorizer (authorize.ts)
// decides from the URL alone which verbs a node has at all; this plugin decides from the objects themselves, inside
// the write pipeline, so it sees the stored object the write applies to and no later write can slip between check
// and commit. A node may:
//
//   - create its own Node (kubelet labels only) and update it: kubelet labels, never taints nor spec.unschedulable;
//   - update the status of, and delete, pods bound to it (spec.nodeName), never their labels through status;
//   - create and renew its own Lease in kube-node-lease.
//
// Messages are Kubernetes' (admission.NewForbidden: `<resource> "<name>" is forbidden: <reason>`). Two rules are
// Podling's own and marked so: spec.unschedulable (a node that could uncordon itself undoes an admin's drain; a
// Podling agent never sets it), spec.podCIDRs (a node that picked its own pod range could take another node's
// addresses and draw its traffic; the node IPAM controller sets it once, validation keeps it fixed) and the
// kubernetes.io/hostname value (@podling/api kubelet-labels.ts).
import { StatusError, forbiddenNodeLabels, semanticEqual, type KubeObject, type Node, type Pod } from '@podling/api';
import type { AdmissionAttributes, Admit } from '../registry/admission.ts';
import { nodeNameOf } from './user-info.ts';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_GROUP = 'coordination.k8s.io';

export const nodeRestriction: Admit = (a) => {
  if (!a.user) return;
  const node = nodeNameOf(a.user);
  if (node === undefined) return;
  if (a.apiGroup === '' && a.resource === 'pods') return admitPod(node, a);
  if (a.apiGroup === '' && a.resource === 'nodes') return admitNode(node, a);
  if (a.apiGroup === LEASE_GROUP && a.resource === 'leases') return admitLease(node, a);
};

/** apimachinery NewForbidden for the request's group and resource: `leases.coordination.k8s.io "x" is forbidden: …`. */
function forbid(a: AdmissionAttributes, reason: string): never {
  const name = a.name || a.object?.metadata.name || '';
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = name ? `${qualified} ${JSON.stringify(name)}` : qualified;
  throw new StatusError(403, 'Forbidden', `${subject} is forbidden: ${reason}`, {
    ...(name ? { name } : {}), ...(a.apiGroup ? { group: a.apiGroup } : {}), kind: a.resource,
  });
}

function admitPod(node: string, a: AdmissionAttributes): void {
  const old = a.oldObject as Pod | undefined;
  if (a.subresource === 'status') {
    if (a.operation !== 'update') forbid(a, `unexpected operation ${JSON.stringify(a.operation.toUpperCase())}`);
    if (old?.spec.nodeName !== node) forbid(a, `node ${JSON.stringify(node)} can only update pod status for pods with spec.nodeName set to itself`);
    if (!semanticEqual(a.object?.metadata.labels, old.metadata.labels)) forbid(a, `node ${JSON.stringify(node)} cannot update labels through pod status`);
    return;
  }
  if (a.subresource !== '') forbid(a, `unexpected pod subresource ${JSON.stringify(a.subresource)}, only 'status' is allowed`);
  if (a.operation === 'delete') {
    if (old?.spec.nodeName !== node) forbid(a, `node ${JSON.stringify(node)} can only delete pods with spec.nodeName set to itself`);
    return;
  }
  // Kubernetes lets a node create mirror pods of its static pods; Podling has no static pods.
  forbid(a, `unexpected operation ${JSON.stringify(a.operation.toUpperCase())}, node ${JSON.stringify(node)} can only delete pods bound to it`);
}

function admitNode(node: string, a: AdmissionAttributes): void {
  if (a.name !== node) forbid(a, `node ${JSON.stringify(node)} is not allowed to modify node ${JSON.stringify(a.name)}`);
  const obj = a.object as Node | undefined;
  if (a.operation === 'create') {
    const labels = forbiddenNodeLabels(node, obj?.metadata.labels, undefined);
    if (labels.length) forbid(a, `node ${JSON.stringify(node)} is not allowed to set the following labels: ${labels.join(', ')}`);
    if (podCIDRsOf(obj).length) forbid(a, `node ${JSON.stringify(node)} is not allowed to set spec.podCIDRs`); // Podling's own rule
    return;
  }
  if (a.operation !== 'update') return;
  const old = a.oldObject as Node;
  if (!semanticEqual(obj?.spec?.taints, old.spec?.taints)) forbid(a, `node ${JSON.stringify(node)} is not allowed to modify taints`);
  if (!!obj?.spec?.unschedulable !== !!old.spec?.unschedulable) {
    forbid(a, `node ${JSON.stringify(node)} is not allowed to modify spec.unschedulable`);
  }
  if (!semanticEqual(podCIDRsOf(obj), podCIDRsOf(old))) forbid(a, `node ${JSON.stringify(node)} is not allowed to modify spec.podCIDRs`); // Podling's own rule
  const labels = forbiddenNodeLabels(node, obj?.metadata.labels, old.metadata.labels);
  if (labels.length) forbid(a, `is not allowed to modify labels: ${labels.join(', ')}`);
}

/** podCIDRs as stored: the list, or the lone podCIDR of a client that sent only that. */
const podCIDRsOf = (n: Node | undefined): string[] => n?.spec?.podCIDRs ?? (n?.spec?.podCIDR ? [n.spec.podCIDR] : []);

function admitLease(node: string, a: AdmissionAttributes): void {
  if (a.namespace !== NODE_LEASE_NAMESPACE) forbid(a, `can only access leases in the ${JSON.stringify(NODE_LEASE_NAMESPACE)} system namespace`);
  const name = a.operation === 'create' ? (a.object as KubeObject | undefined)?.metadata.name : a.name;
  if (name !== node) forbid(a, 'can only access node lease with the same name as the requesting node');
}
