import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, forbiddenError, forbiddenMessage } from '../src/auth/authorize.ts';
import { requestInfo } from '../src/auth/request-info.ts';
import { anonymousAdmin, anonymousUser, type UserInfo } from '../src/auth/user-info.ts';

const admin: UserInfo = { name: 'admin', uid: '1', groups: ['system:masters', 'system:authenticated'] };
const n1: UserInfo = { name: 'system:node:n1', uid: '2', groups: ['system:nodes', 'system:authenticated'] };
const viewer: UserInfo = { name: 'bob', uid: '3', groups: ['system:authenticated'] };
/** Named like a node but not in system:nodes: only an ordinary user. */
const impostor: UserInfo = { name: 'system:node:n1', uid: '4', groups: ['system:authenticated'] };

const lease = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';

const cases: [string, UserInfo, string, string, boolean][] = [
  ['system:masters may delete any pod', admin, 'DELETE', '/api/v1/namespaces/default/pods/on-n2', true],
  ['system:masters may create namespaces', admin, 'POST', '/api/v1/namespaces', true],
  ['system:masters may GET an unknown path', admin, 'GET', '/metrics', true],
  ['the dev-default anonymous admin may do everything', anonymousAdmin, 'DELETE', '/api/v1/nodes/n1', true],

  ['anyone may GET /version', anonymousUser, 'GET', '/version', true],
  ['anyone may GET /healthz', anonymousUser, 'GET', '/healthz', true],
  ['anyone may GET /readyz', anonymousUser, 'GET', '/readyz', true],
  ['anyone may GET /livez', anonymousUser, 'GET', '/livez', true],
  ['anyone may GET /openapi/v3 and its group documents', anonymousUser, 'GET', '/openapi/v3/api/v1', true],
  ['anyone may GET discovery at /api', anonymousUser, 'GET', '/api', true],
  ['anyone may GET discovery at /api/v1', anonymousUser, 'GET', '/api/v1', true],
  ['anyone may GET discovery at /apis/{group}/{version}', anonymousUser, 'GET', '/apis/coordination.k8s.io/v1', true],
  ['nobody but masters may POST to a non-resource path', viewer, 'POST', '/version', false],
  ['nobody but masters may GET other non-resource paths', viewer, 'GET', '/metrics', false],
  ['an anonymous user of a server with tokens may not list pods', anonymousUser, 'GET', '/api/v1/pods', false],

  ['an authenticated user may list pods', viewer, 'GET', '/api/v1/namespaces/default/pods', true],
  ['an authenticated user may watch nodes', viewer, 'GET', '/api/v1/nodes?watch=true', true],
  ['an authenticated user may read pod logs', viewer, 'GET', '/api/v1/namespaces/default/pods/on-n1/log', true],
  ['an authenticated user may not create pods', viewer, 'POST', '/api/v1/namespaces/default/pods', false],
  ['an authenticated user may not delete pods', viewer, 'DELETE', '/api/v1/namespaces/default/pods/on-n1', false],
  ['a user named like a node but outside system:nodes is only a reader', impostor, 'PATCH', '/api/v1/nodes/n1/status', false],

  ['a node may list pods of every node', n1, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn2', true],
  ['a node may watch namespaces', n1, 'GET', '/api/v1/namespaces?watch=1', true],
  ['a node may get another node', n1, 'GET', '/api/v1/nodes/n2', true],
  ['a node may list events', n1, 'GET', '/api/v1/events', true],
  ['a node may create events', n1, 'POST', '/api/v1/namespaces/default/events', true],
  ['a node may patch events', n1, 'PATCH', '/api/v1/namespaces/default/events/e1', true],
  ['a node may not delete events', n1, 'DELETE', '/api/v1/namespaces/default/events/e1', false],
  ['a node may register a Node (NodeRestriction admission checks its name)', n1, 'POST', '/api/v1/nodes', true],
  ['a node may update its own Node', n1, 'PUT', '/api/v1/nodes/n1', true],
  ['a node may patch its own Node status', n1, 'PATCH', '/api/v1/nodes/n1/status', true],
  ['a node may patch Node status (NodeRestriction admission allows only its own)', n1, 'PATCH', '/api/v1/nodes/n2/status', true],
  ['a node may update Nodes (NodeRestriction admission allows only its own)', n1, 'PUT', '/api/v1/nodes/n2', true],
  ['a node may not delete its own Node', n1, 'DELETE', '/api/v1/nodes/n1', false],
  ['a node may patch the status of a pod bound to it', n1, 'PATCH', '/api/v1/namespaces/default/pods/on-n1/status', true],
  ['a node may update the status of a pod bound to it', n1, 'PUT', '/api/v1/namespaces/default/pods/on-n1/status', true],
  ['a node may patch pod status (NodeRestriction admission allows only pods bound to it)', n1, 'PATCH', '/api/v1/namespaces/default/pods/on-n2/status', true],
  ['a node may patch the status of a pod that does not exist (the store answers 404)', n1, 'PATCH', '/api/v1/namespaces/default/pods/gone/status', true],
  ['a node may delete pods (NodeRestriction admission allows only pods bound to it)', n1, 'DELETE', '/api/v1/namespaces/default/pods/on-n1', true],
  ['a node may not delete other pods\' subresources', n1, 'DELETE', '/api/v1/namespaces/default/pods/on-n1/status', false],
  ['a node may not patch a pod spec, even its own', n1, 'PATCH', '/api/v1/namespaces/default/pods/on-n1', false],
  ['a node may not create pods', n1, 'POST', '/api/v1/namespaces/default/pods', false],
  ['a node may not delete a collection of pods', n1, 'DELETE', '/api/v1/namespaces/default/pods', false],
  ['a node may not read pod logs', n1, 'GET', '/api/v1/namespaces/default/pods/on-n1/log', false],
  ['a node may not create namespaces', n1, 'POST', '/api/v1/namespaces', false],
  ['a node may get its own lease', n1, 'GET', `${lease}/n1`, true],
  ['a node may create a lease (NodeRestriction admission checks its name)', n1, 'POST', lease, true],
  ['a node may renew its own lease', n1, 'PUT', `${lease}/n1`, true],
  ['a node may not renew another node\'s lease', n1, 'PUT', `${lease}/n2`, false],
  ['a node may not touch leases outside kube-node-lease', n1, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/default/leases/n1', false],
  ['a node may not list leases', n1, 'GET', lease, false],
  ['a node may not read other groups', n1, 'GET', '/apis/apps/v1/deployments', false],
];

for (const [behaviour, user, method, url, allowed] of cases) {
  test(`authorize: ${behaviour}`, () => {
    const decision = authorize(user, requestInfo(method, url));
    assert.equal(decision.allowed, allowed, `${user.name} ${method} ${url}: ${JSON.stringify(decision)}`);
  });
}

const messages: [string, UserInfo, string, string, string][] = [
  ['a named namespaced object', n1, 'DELETE', '/api/v1/namespaces/default/pods/x',
    'pods "x" is forbidden: User "system:node:n1" cannot delete resource "pods" in API group "" in the namespace "default"'],
  ['a subresource', n1, 'PATCH', '/api/v1/namespaces/default/pods/x/status',
    'pods "x" is forbidden: User "system:node:n1" cannot patch resource "pods/status" in API group "" in the namespace "default"'],
  ['a cluster-scoped object', viewer, 'DELETE', '/api/v1/nodes/n1',
    'nodes "n1" is forbidden: User "bob" cannot delete resource "nodes" in API group "" at the cluster scope'],
  ['a collection', viewer, 'POST', '/api/v1/namespaces/default/pods',
    'pods is forbidden: User "bob" cannot create resource "pods" in API group "" in the namespace "default"'],
  ['a named group', n1, 'GET', '/apis/apps/v1/namespaces/default/deployments',
    'deployments.apps is forbidden: User "system:node:n1" cannot list resource "deployments" in API group "apps" in the namespace "default"'],
  ['a non-resource path', viewer, 'GET', '/metrics', 'forbidden: User "bob" cannot get path "/metrics"'],
];

for (const [what, user, method, url, message] of messages) {
  test(`forbiddenError: Kubernetes' message for ${what}`, () => {
    const e = forbiddenError(user, requestInfo(method, url));
    assert.equal(e.status.message, message);
    assert.equal(e.code, 403);
    assert.equal(e.status.reason, 'Forbidden');
  });
}

test('forbiddenError: details carry the name and the resource as kind; a reason is appended', () => {
  const info = requestInfo('DELETE', '/api/v1/namespaces/default/pods/x');
  const e = forbiddenError(n1, info, 'node "n1" can only delete pods bound to it');
  assert.deepEqual(e.status.details, { name: 'x', kind: 'pods' });
  assert.equal(e.status.message, `pods "x" is forbidden: ${forbiddenMessage(n1, info)}: node "n1" can only delete pods bound to it`);
  assert.deepEqual(forbiddenError(viewer, requestInfo('POST', '/api/v1/namespaces/default/pods')).status.details, { kind: 'pods' });
});
