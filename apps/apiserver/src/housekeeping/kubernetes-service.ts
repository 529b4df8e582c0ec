// The `kubernetes` Service in `default`: the first address of the service range (index 1), port 443 named https,
// pointing at the live apiservers through an Endpoints object and an EndpointSlice of the same name (k/k
// pkg/controlplane/controller/kubernetesservice, pkg/controlplane/reconcilers). The Service has no selector, so the
// endpoint controllers leave its endpoints to these writers; which apiservers are live is the lease reconciler's
// business (endpoint-lease-reconciler.ts). As in Kubernetes every apiserver is assumed to serve on the same port.
import { isStatusError, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, type KubeObject } from '@podling/api';
import { isStorageError } from '@podling/store';
import { endpointSlices, endpoints } from '../registry/endpoints-strategy.ts';
import type { Registry } from '../registry/registry.ts';
import type { Resource } from '../registry/resource.ts';
import { ipAt } from '../registry/service-ip-range.ts';
import { services } from '../registry/service-strategy.ts';

const NAME = 'kubernetes';
const NS = 'default';
/** The EndpointSlice's managed-by value, kube-apiserver's own (reconcilers/endpointsadapter.go). */
const APISERVER_MANAGER = 'endpointslice-controller.k8s.io';

/** Creates the object, or replaces its `field` when it differs. */
async function ensure(registry: Registry, r: Resource, body: KubeObject, fields: string[]): Promise<void> {
  const found = registry.storage.get(registry.key(r, NS, NAME));
  if (!found) {
    try { await registry.create(r, NS, body); } catch (e) { if (!isStorageError(e, 'KeyExists') && !(isStatusError(e) && e.code === 409)) throw e; }
    return;
  }
  const cur = structuredClone(found.object);
  // Stored objects carry defaults the body leaves out: what the body says must already be there, nothing more, so
  // a restart that changes nothing writes nothing (and the revision stays where it was).
  if (fields.every((f) => covers(cur[f], body[f]))) return;
  for (const f of fields) cur[f] = body[f];
  await registry.update(r, NS, NAME, cur);
}

/** Whether `have` holds every value of `want`: object keys may be extra, arrays match element by element. */
function covers(have: unknown, want: unknown): boolean {
  if (want === undefined) return true;
  if (Array.isArray(want) && want.length === 0 && have === undefined) return true; // an empty list is not stored
  if (typeof want !== 'object' || want === null) return have === want;
  if (typeof have !== 'object' || have === null || Array.isArray(want) !== Array.isArray(have)) return false;
  if (Array.isArray(want)) return want.length === (have as unknown[]).length && want.every((w, i) => covers((have as unknown[])[i], w));
  return Object.entries(want).every(([k, w]) => covers((have as Record<string, unknown>)[k], w));
}

/** Creates or corrects the Service; its target port is this apiserver's. */
export async function ensureKubernetesService(registry: Registry, port: number): Promise<void> {
  const alloc = registry.ctx.serviceAllocator!;
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  const existing = registry.storage.get(registry.key(services, NS, NAME))?.object as { spec?: Record<string, unknown> } | undefined;
  const spec = {
    ...(existing?.spec ?? { clusterIP: ipAt(alloc.ipRange, 1) }),
    type: 'ClusterIP', sessionAffinity: 'None',
    ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: port }],
  };
  await ensure(registry, services, { apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: NS, labels }, spec }, ['spec']);
}

/** Points the Service's Endpoints and EndpointSlice at `addresses` (IPv4, sorted by the caller) on `port`; writes
 *  nothing when they already say so. */
export async function writeKubernetesEndpoints(registry: Registry, addresses: string[], port: number): Promise<void> {
  const epPort = { name: 'https', port, protocol: 'TCP' };
  await ensure(registry, endpoints, {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NS, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: addresses.length ? [{ addresses: addresses.map((ip) => ({ ip })), ports: [epPort] }] : [],
  }, ['subsets']);
  await ensure(registry, endpointSlices, {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: NAME, namespace: NS, labels: { [SERVICE_NAME_LABEL]: NAME, [MANAGED_BY_LABEL]: APISERVER_MANAGER } },
    addressType: 'IPv4',
    endpoints: addresses.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [epPort],
  }, ['endpoints', 'ports']);
}
