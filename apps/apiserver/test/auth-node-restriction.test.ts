// The NodeRestriction admission plugin on its own: attributes in, a Status error or nothing out. The end-to-end
// table (hostile-node-cases.ts) runs the same rules through a real apiserver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError, type KubeObject } from '@podling/api';
import { nodeRestriction } from '../src/auth/node-restriction.ts';
import { forbiddenNodeLabels } from '@podling/api';
import type { AdmissionAttributes } from '../src/registry/admission.ts';

const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const lease = (name: string): KubeObject => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' } });
const base = { apiGroup: 'coordination.k8s.io', resource: 'leases', subresource: '', namespace: 'kube-node-lease', user: n1 };

function refusal(a: AdmissionAttributes): { code: number; message: string; details: unknown } | undefined {
  try { nodeRestriction(a); return undefined; } catch (e) {
    assert.ok(isStatusError(e));
    return { code: e.code, message: e.status.message ?? '', details: e.status.details };
  }
}

test('node restriction: a node may create its own lease and no other, with Kubernetes\' message and details', () => {
  assert.equal(refusal({ ...base, operation: 'create', name: 'n1', object: lease('n1') }), undefined);
  assert.deepEqual(refusal({ ...base, operation: 'create', name: 'n2', object: lease('n2') }), {
    code: 403,
    message: 'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node',
    details: { name: 'n2', group: 'coordination.k8s.io', kind: 'leases' },
  });
  assert.equal(refusal({ ...base, operation: 'create', name: '', object: lease('') })?.code, 403);
  assert.match(refusal({ ...base, namespace: 'default', operation: 'create', name: 'n1', object: lease('n1') })!.message, /can only access leases in the "kube-node-lease" system namespace/);
});

test('node restriction: users that are not nodes, and the apiserver itself, are not restricted', () => {
  const attrs = { ...base, operation: 'create' as const, name: 'n2', object: lease('n2') };
  assert.equal(refusal({ ...attrs, user: { name: 'admin', groups: ['system:masters'] } }), undefined);
  assert.equal(refusal({ ...attrs, user: { name: 'system:node:n1', groups: ['system:authenticated'] } }), undefined, 'named like a node but not in system:nodes');
  assert.equal(refusal({ ...attrs, user: undefined }), undefined);
});

const labelCases: [string, Record<string, string> | undefined, Record<string, string> | undefined, string[]][] = [
  ['kubelet labels may be set', { 'kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', 'topology.kubernetes.io/region': 'r' }, undefined, []],
  ['node.kubernetes.io and kubelet.kubernetes.io keys, and their subdomains, may be set', { 'node.kubernetes.io/a': 'b', 'x.kubelet.kubernetes.io/c': 'd' }, undefined, []],
  ['labels outside kubernetes.io and k8s.io are the node\'s own', { 'example.com/a': 'b', plain: 'c' }, { plain: 'x' }, []],
  ['node-restriction.kubernetes.io keys and their subdomains may not be added', { 'node-restriction.kubernetes.io/a': 'b', 'x.node-restriction.kubernetes.io/c': 'd' }, undefined,
    ['node-restriction.kubernetes.io/a', 'x.node-restriction.kubernetes.io/c']],
  ['other kubernetes.io and k8s.io keys may not be removed', {}, { 'node-role.kubernetes.io/worker': '', 'k8s.io/x': 'y' }, ['k8s.io/x', 'node-role.kubernetes.io/worker']],
  ['an unchanged forbidden label is no change', { 'node-restriction.kubernetes.io/a': 'b' }, { 'node-restriction.kubernetes.io/a': 'b' }, []],
  ['kubernetes.io/hostname may name the node itself', { 'kubernetes.io/hostname': 'n1' }, { 'kubernetes.io/hostname': 'old' }, []],
  ['kubernetes.io/hostname may not name another node (Podling)', { 'kubernetes.io/hostname': 'n2' }, { 'kubernetes.io/hostname': 'n1' }, ['kubernetes.io/hostname']],
];

for (const [what, labels, old, forbidden] of labelCases) {
  test(`kubelet labels: ${what}`, () => assert.deepEqual(forbiddenNodeLabels('n1', labels, old), forbidden));
}
