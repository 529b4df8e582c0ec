// The smallest OpenAPI v3 that lets kubectl validate server-side (kubectl-wire.md §4): kubectl only looks for a
// PATCH operation tagged with the object's GVK that takes a `fieldValidation` query parameter. Deliberately no
// components.schemas: with partial schemas kubectl would try to compute patches from them.

interface Gvk { group: string; version: string; kind: string }

const CORE_PATHS: [string, string][] = [
  ['/api/v1/namespaces/{namespace}/pods/{name}', 'Pod'],
  ['/api/v1/namespaces/{namespace}/pods/{name}/status', 'Pod'],
  ['/api/v1/nodes/{name}', 'Node'],
  ['/api/v1/nodes/{name}/status', 'Node'],
  ['/api/v1/namespaces/{name}', 'Namespace'],
  ['/api/v1/namespaces/{namespace}/events/{name}', 'Event'],
];

function patchOperation(gvk: Gvk) {
  return {
    patch: {
      'x-kubernetes-group-version-kind': gvk,
      parameters: [
        { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
      ],
    },
  };
}

/** GET /openapi/v3. `groupVersions` adds e.g. "coordination.k8s.io/v1" next to the core group. */
export function openapiV3Index(groupVersions: string[] = []) {
  const paths: Record<string, { serverRelativeURL: string }> = { 'api/v1': { serverRelativeURL: '/openapi/v3/api/v1' } };
  for (const gv of groupVersions) paths[`apis/${gv}`] = { serverRelativeURL: `/openapi/v3/apis/${gv}` };
  return { paths };
}

function document(paths: Record<string, unknown>) {
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths };
}

/** GET /openapi/v3/api/v1 */
export function openapiV3CoreV1() {
  return document(Object.fromEntries(CORE_PATHS.map(([p, kind]) => [p, patchOperation({ group: '', version: 'v1', kind })])));
}

/** GET /openapi/v3/apis/<group>/<version>; `kinds` maps a resource plural to its Kind (e.g. { leases: 'Lease' }). */
export function openapiV3Group(groupVersion: string, kinds: Record<string, string>, namespaced = true) {
  const [group, version] = groupVersion.split('/');
  const paths: Record<string, unknown> = {};
  for (const [plural, kind] of Object.entries(kinds)) {
    const p = namespaced ? `/apis/${groupVersion}/namespaces/{namespace}/${plural}/{name}` : `/apis/${groupVersion}/${plural}/{name}`;
    paths[p] = patchOperation({ group, version, kind });
  }
  return document(paths);
}
