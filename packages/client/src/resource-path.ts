// Maps a ResourceRef to its URL path. core/v1 resources live under /api/v1; anything from another API group is
// listed here once, so callers only ever name a resource plural.
import type { ResourceRef } from './types.ts';

/** Group-version prefix per resource; resources not listed are core/v1. */
const groupVersionPrefix: Record<string, string> = {
  leases: '/apis/coordination.k8s.io/v1',
  deployments: '/apis/apps/v1',
  replicasets: '/apis/apps/v1',
  statefulsets: '/apis/apps/v1',
  daemonsets: '/apis/apps/v1',
  controllerrevisions: '/apis/apps/v1',
  jobs: '/apis/batch/v1',
  cronjobs: '/apis/batch/v1',
  endpointslices: '/apis/discovery.k8s.io/v1',
};

/**
 * `/api/v1/namespaces/{ns}/{resource}[/{name}[/{sub}]]`, or `/api/v1/{resource}/...` when the namespace is ''
 * or undefined (cluster-scoped resources, and lists across all namespaces).
 */
export function resourcePath(ref: ResourceRef, name?: string, subresource?: string): string {
  const prefix = groupVersionPrefix[ref.resource] ?? '/api/v1';
  let p = ref.namespace ? `${prefix}/namespaces/${encodeURIComponent(ref.namespace)}/${ref.resource}` : `${prefix}/${ref.resource}`;
  if (name !== undefined) {
    if (name === '') throw new Error(`resourcePath: empty name for ${ref.resource}`);
    p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
  }
  return p;
}
