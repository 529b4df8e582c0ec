// OpenAPI v3 documents, one per group version, derived from the resource declarations (kubectl-wire.md §4). kubectl
// validates server-side when it finds a PATCH operation tagged with the object's GVK that takes a `fieldValidation`
// query parameter; a kind with no such operation is one kubectl reports as `no matches for kind`.
import type { Resource } from '../registry/resource.ts';

interface Gvk { group: string; version: string; kind: string }

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

/** "api/v1" for the core group, "apis/<group>/<version>" otherwise: the key of a document in the v3 index. */
export function openapiV3Key(groupVersion: string): string {
  return groupVersion === 'v1' ? 'api/v1' : `apis/${groupVersion}`;
}

/** GET /openapi/v3: one document per served group version. */
export function openapiV3Index(groupVersions: string[]) {
  return { paths: Object.fromEntries(groupVersions.map((gv) => [openapiV3Key(gv), { serverRelativeURL: `/openapi/v3/${openapiV3Key(gv)}` }])) };
}

/** The item path of a resource, e.g. /apis/apps/v1/namespaces/{namespace}/deployments/{name}. */
export function itemPath(r: Resource): string {
  const prefix = r.group ? `/apis/${r.apiVersion}` : `/api/${r.version}`;
  return r.namespaced ? `${prefix}/namespaces/{namespace}/${r.resource}/{name}` : `${prefix}/${r.resource}/{name}`;
}

/** GET /openapi/v3/<key>: the document of one group version. */
export function openapiV3Document(resources: Resource[]) {
  const paths: Record<string, unknown> = {};
  for (const r of resources) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    paths[itemPath(r)] = patchOperation(gvk);
    for (const sub of Object.keys(r.updateSubresources ?? {})) paths[`${itemPath(r)}/${sub}`] = patchOperation(gvk);
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths };
}
