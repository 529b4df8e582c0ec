// OpenAPI documents derived from the resource declarations: v3, one per group version, and v2 for older clients.
// kubectl validates server-side when it finds a PATCH operation tagged with the object's GVK that takes a
// `fieldValidation` query parameter; `kubectl explain` reads the schemas (openapi-schemas.ts).
import type { Resource } from '../registry/resource.ts';
import { schemaDefinitions } from './openapi-schemas.ts';

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

function paths(resources: Resource[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of resources) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    out[itemPath(r)] = patchOperation(gvk);
    for (const sub of Object.keys(r.updateSubresources ?? {})) out[`${itemPath(r)}/${sub}`] = patchOperation(gvk);
  }
  return out;
}

const INFO = { title: 'Kubernetes', version: 'v1.32.0' };

/** GET /openapi/v3/<key>: the document of one group version, with the schemas of its kinds. */
export function openapiV3Document(resources: Resource[]) {
  return { openapi: '3.0.0', info: INFO, paths: paths(resources), components: { schemas: schemaDefinitions(resources, '#/components/schemas/') } };
}

/** GET /openapi/v2 (JSON): every served kind in one Swagger 2.0 document. */
export function openapiV2Document(resources: Resource[]) {
  return { swagger: '2.0', info: INFO, paths: paths(resources), definitions: schemaDefinitions(resources, '#/definitions/') };
}
