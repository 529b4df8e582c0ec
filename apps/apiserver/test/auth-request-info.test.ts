import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestInfo, type RequestInfo } from '../src/auth/request-info.ts';

type Expected = Partial<RequestInfo>;

const resourceCases: [string, string, string, Expected][] = [
  ['a GET on a namespaced collection is a list', 'GET', '/api/v1/namespaces/default/pods',
    { verb: 'list', apiVersion: 'v1', namespace: 'default', resource: 'pods', name: '' }],
  ['watch=true turns a list into a watch', 'GET', '/api/v1/namespaces/default/pods?watch=true&resourceVersion=5',
    { verb: 'watch', namespace: 'default', resource: 'pods' }],
  ['watch=1 is a watch too', 'GET', '/api/v1/pods?watch=1', { verb: 'watch', namespace: '', resource: 'pods' }],
  ['watch=false stays a list', 'GET', '/api/v1/pods?watch=false', { verb: 'list' }],
  ['a GET on a named object is a get', 'GET', '/api/v1/namespaces/default/pods/web',
    { verb: 'get', namespace: 'default', resource: 'pods', name: 'web', subresource: '' }],
  ['HEAD is a get', 'HEAD', '/api/v1/namespaces/default/pods/web', { verb: 'get' }],
  ['a subresource is the third part after the resource', 'PATCH', '/api/v1/namespaces/default/pods/web/status',
    { verb: 'patch', resource: 'pods', name: 'web', subresource: 'status' }],
  ['pod logs are the log subresource', 'GET', '/api/v1/namespaces/ns1/pods/web/log?follow=true',
    { verb: 'get', resource: 'pods', subresource: 'log', name: 'web' }],
  ['POST on a collection is a create', 'POST', '/api/v1/namespaces/default/pods', { verb: 'create', resource: 'pods', name: '' }],
  ['PUT is an update', 'PUT', '/api/v1/nodes/n1/status', { verb: 'update', resource: 'nodes', name: 'n1', subresource: 'status', namespace: '' }],
  ['DELETE on an object is a delete', 'DELETE', '/api/v1/namespaces/default/pods/web', { verb: 'delete', name: 'web' }],
  ['DELETE on a collection is a deletecollection', 'DELETE', '/api/v1/namespaces/default/pods', { verb: 'deletecollection', name: '' }],
  ['cluster-scoped resources have no namespace', 'GET', '/api/v1/nodes/n1', { verb: 'get', namespace: '', resource: 'nodes', name: 'n1' }],
  ['the namespaces collection is cluster-scoped', 'GET', '/api/v1/namespaces', { verb: 'list', namespace: '', resource: 'namespaces' }],
  ['a namespace object is named and namespaced by itself', 'GET', '/api/v1/namespaces/kube-system',
    { verb: 'get', namespace: 'kube-system', resource: 'namespaces', name: 'kube-system' }],
  ['a namespace status is the namespace\'s subresource', 'PUT', '/api/v1/namespaces/ns1/status',
    { verb: 'update', namespace: 'ns1', resource: 'namespaces', name: 'ns1', subresource: 'status' }],
  ['a namespace finalize is the namespace\'s subresource', 'PUT', '/api/v1/namespaces/ns1/finalize',
    { resource: 'namespaces', name: 'ns1', subresource: 'finalize' }],
  ['named groups come from /apis/{group}/{version}', 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1',
    { verb: 'update', apiPrefix: 'apis', apiGroup: 'coordination.k8s.io', apiVersion: 'v1', namespace: 'kube-node-lease', resource: 'leases', name: 'n1' }],
  ['the core group is the empty string', 'GET', '/api/v1/pods', { apiPrefix: 'api', apiGroup: '' }],
  ['the legacy /watch prefix is a watch verb', 'GET', '/api/v1/watch/namespaces/default/pods',
    { verb: 'watch', namespace: 'default', resource: 'pods', name: '' }],
  ['a legacy watch of one object keeps its name', 'GET', '/api/v1/watch/namespaces/default/pods/web',
    { verb: 'watch', resource: 'pods', name: 'web' }],
  ['the proxy verb never has a subresource', 'GET', '/api/v1/proxy/namespaces/default/pods/web/some/path',
    { verb: 'proxy', resource: 'pods', name: 'web', subresource: '' }],
  ['a fieldSelector on metadata.name names the object of a watch', 'GET',
    '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb&watch=true', { verb: 'watch', name: 'web' }],
  ['a fieldSelector with more terms names nothing', 'GET',
    '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb,spec.nodeName%3Dn1', { verb: 'list', name: '' }],
  ['percent-encoded segments are decoded', 'GET', '/api/v1/namespaces/default/pods/a%2Eb', { name: 'a.b' }],
  ['an unknown method has no verb', 'OPTIONS', '/api/v1/pods/x', { isResourceRequest: true, verb: '' }],
  ['dot segments are resolved as a URL parser resolves them', 'GET', '/api/v1/namespaces/a/../b/pods/./web',
    { namespace: 'b', resource: 'pods', name: 'web', path: '/api/v1/namespaces/b/pods/web' }],
  ['a query on a plain path is read', 'GET', '/api/v1/pods?watch=1&fieldSelector=metadata.name%3Dweb', { verb: 'watch', name: 'web', path: '/api/v1/pods' }],
  ['dots inside a name are not segments', 'GET', '/api/v1/namespaces/default/pods/a..b', { name: 'a..b', path: '/api/v1/namespaces/default/pods/a..b' }],
];

for (const [behaviour, method, url, expected] of resourceCases) {
  test(`requestInfo: ${behaviour}`, () => {
    const info = requestInfo(method, url);
    assert.equal(info.isResourceRequest, expected.isResourceRequest ?? true, `isResourceRequest for ${method} ${url}`);
    for (const [k, v] of Object.entries(expected)) assert.equal(info[k as keyof RequestInfo], v, `${k} for ${method} ${url}`);
  });
}

const nonResourcePaths = ['/version', '/healthz', '/livez', '/readyz', '/openapi/v3', '/openapi/v3/api/v1', '/api', '/apis',
  '/api/v1', '/apis/coordination.k8s.io', '/apis/coordination.k8s.io/v1', '/', '/metrics', '/api/v1/watch'];

for (const path of nonResourcePaths) {
  test(`requestInfo: ${path} is not a resource request and its verb is the method`, () => {
    const info = requestInfo('GET', path);
    assert.equal(info.isResourceRequest, false);
    assert.equal(info.verb, 'get');
    assert.equal(info.path, path);
    assert.equal(info.resource, '');
  });
}

test('requestInfo: the path excludes the query string', () => {
  assert.equal(requestInfo('GET', '/api/v1/pods?limit=500').path, '/api/v1/pods');
});
