// Discovery and OpenAPI documents kubectl reads before any command (kubectl-wire.md §0, §3, §4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiGroupList, apiResourceList, apiVersions, openapiV3Document, openapiV3Index, versionInfo } from '../src/kubectl/index.ts';
import { resourcesOf } from '../src/registry/resources.ts';

test('/version reports major 1 minor 32 so the gcloud dispatcher runs kubectl 1.32', () => {
  const v = versionInfo();
  assert.equal(v.major, '1');
  assert.equal(v.minor, '32');
  assert.equal(v.gitVersion, 'v1.32.0-podling');
  assert.match(v.platform, /^[a-z]+\/[a-z0-9]+$/);
});

test('/api lists v1 and advertises the server address when known', () => {
  assert.deepEqual(apiVersions('127.0.0.1:6443'), { kind: 'APIVersions', versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] });
});

test('/apis is an empty APIGroupList unless groups are served', () => {
  assert.deepEqual(apiGroupList(), { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
  assert.deepEqual(apiGroupList(['coordination.k8s.io']).groups, [{ name: 'coordination.k8s.io',
    versions: [{ groupVersion: 'coordination.k8s.io/v1', version: 'v1' }], preferredVersion: { groupVersion: 'coordination.k8s.io/v1', version: 'v1' } }]);
});

test('/api/v1 lists pods (po, category all, deletecollection), its subresources, nodes (no), namespaces (ns) and events (ev)', () => {
  const list = apiResourceList(resourcesOf('v1'));
  assert.equal(list.kind, 'APIResourceList');
  assert.equal(list.groupVersion, 'v1');
  const byName = new Map(list.resources.map((r) => [r.name, r]));
  const pods = byName.get('pods')!;
  assert.deepEqual([pods.kind, pods.namespaced, pods.shortNames, pods.categories], ['Pod', true, ['po'], ['all']]);
  assert.ok(pods.verbs.includes('deletecollection') && pods.verbs.includes('watch'));
  assert.deepEqual(byName.get('pods/exec')!.verbs, ['create', 'get']);
  assert.deepEqual(byName.get('pods/log')!.verbs, ['get']);
  assert.deepEqual(byName.get('pods/binding')!.verbs, ['create']);
  assert.ok(byName.has('pods/status') && byName.has('nodes/status'));
  assert.deepEqual([byName.get('nodes')!.namespaced, byName.get('nodes')!.shortNames], [false, ['no']]);
  assert.deepEqual(byName.get('namespaces')!.shortNames, ['ns']);
  assert.deepEqual(byName.get('events')!.shortNames, ['ev']);
});

test('a group version lists its own resources', () => {
  const coord = apiResourceList(resourcesOf('coordination.k8s.io/v1'), 'coordination.k8s.io/v1');
  assert.deepEqual(coord.resources.map((r) => r.name), ['leases']);
});

test('the OpenAPI v3 index points kubectl at the core document', () => {
  assert.deepEqual(openapiV3Index(['v1']), { paths: { 'api/v1': { serverRelativeURL: '/openapi/v3/api/v1' } } });
  assert.ok('apis/coordination.k8s.io/v1' in openapiV3Index(['v1', 'coordination.k8s.io/v1']).paths);
});

test('the core OpenAPI v3 document has a GVK-tagged PATCH with fieldValidation for Pod, Node, Namespace and Event', () => {
  const doc = openapiV3Document(resourcesOf('v1'));
  const pod = doc.components.schemas['io.k8s.podling.Pod'] as { 'x-kubernetes-group-version-kind': unknown };
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Pod' }]);
  const spec = doc.components.schemas['io.k8s.podling.PodSpec'] as { properties: Record<string, Record<string, unknown>> };
  assert.equal(spec.properties.containers['x-kubernetes-patch-merge-key'], 'name');
  for (const kind of ['Pod', 'Node', 'Namespace', 'Event']) {
    const op = Object.values(doc.paths).map((p) => (p as { patch: { 'x-kubernetes-group-version-kind': { kind: string }; parameters: { name: string; in: string }[] } }).patch)
      .find((o) => o['x-kubernetes-group-version-kind'].kind === kind);
    assert.ok(op, kind);
    assert.ok(op.parameters.some((p) => p.name === 'fieldValidation' && p.in === 'query'), kind);
  }
  const lease = openapiV3Document(resourcesOf('coordination.k8s.io/v1'));
  assert.ok('/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}' in lease.paths);
});
