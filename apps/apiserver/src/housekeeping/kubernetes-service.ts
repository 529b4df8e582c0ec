// The `kubernetes` Service in `default`: the first address of the service range (index 1), port 443 named https,
// pointing at the live apiservers through an Endpoints object and an EndpointSlice of the same name (k/k
// pkg/controlplane/controller/kubernetesservice, pkg/controlplane/reconcilers). The Service has no selector, so the
// endpoint controllers leave its endpoints to these writers; which apiservers are live is the lease reconciler's
// business (endpoint-lease-reconciler.ts). As in Kubernetes every apiserver is assumed to serve on the same port.
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '@podling/api';
import { endpointSlices, endpoints } from '../registry/endpoints-strategy.ts';
import type { Registry } from '../registry/registry.ts';
import { ipAt } from '../registry/service-ip-range.ts';
import { services } from '../registry/service-strategy.ts';
import { ensureObject } from './ensure-object.ts';

const NAME = 'kubernetes';
const NS = 'default';
/** The EndpointSlice's managed-by value, kube-apiserver's own (reconcilers/endpointsadapter.go). */
export const APISERVER_MANAGER = 'endpointslice-controller.k8s.io';

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
  await ensureObject(registry, services, NS, NAME, { apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: NS, labels }, spec }, ['spec']);
}

/** Points the Service's Endpoints and EndpointSlice at `addresses` (IPv4, sorted by the caller) on `port`; writes
 *  nothing when they already say so. */
export async function writeKubernetesEndpoints(registry: Registry, addresses: string[], port: number): Promise<void> {
  const epPort = { name: 'https', port, protocol: 'TCP' };
  await ensureObject(registry, endpoints, NS, NAME, {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NS, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: addresses.length ? [{ addresses: addresses.map((ip) => ({ ip })), ports: [epPort] }] : [],
  }, ['subsets']);
  await ensureObject(registry, endpointSlices, NS, NAME, {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: NAME, namespace: NS, labels: { [SERVICE_NAME_LABEL]: NAME, [MANAGED_BY_LABEL]: APISERVER_MANAGER } },
    addressType: 'IPv4',
    endpoints: addresses.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [epPort],
  }, ['endpoints', 'ports']);
}
