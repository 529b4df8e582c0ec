// The `kube-dns` Service in `kube-system`, as kubeadm installs it (ClusterIP 10.96.0.10 by default, ports dns/UDP and
// dns-tcp/TCP 53, labels k8s-app=kube-dns), pointing at the cluster DNS server this apiserver runs: no selector, an
// Endpoints object and an EndpointSlice kept here like the `kubernetes` Service's, so the node proxy sends
// <clusterIP>:53 to wherever the server listens (its port may differ from 53: the Service's targetPort says which).
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '@podling/api';
import { endpointSlices, endpoints } from '../registry/endpoints-strategy.ts';
import type { Registry } from '../registry/registry.ts';
import { services } from '../registry/service-strategy.ts';
import { ensureObject } from './ensure-object.ts';
import { APISERVER_MANAGER } from './kubernetes-service.ts';

const NAME = 'kube-dns';
const NS = 'kube-system';

export async function ensureKubeDnsService(registry: Registry, clusterIP: string, address: string, port: number): Promise<void> {
  const labels = { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' };
  const existing = registry.storage.get(registry.key(services, NS, NAME))?.object as { spec?: Record<string, unknown> } | undefined;
  // A ClusterIP cannot change in place: a Service kept from an earlier --cluster-dns-ip is left with its address.
  const spec = {
    ...(existing?.spec ?? { clusterIP }),
    type: 'ClusterIP', sessionAffinity: 'None',
    ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: port }, { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: port }],
  };
  await ensureObject(registry, services, NS, NAME, { apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: NS, labels }, spec }, ['spec']);
  const ports = [{ name: 'dns', port, protocol: 'UDP' }, { name: 'dns-tcp', port, protocol: 'TCP' }];
  await ensureObject(registry, endpoints, NS, NAME, {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NS, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: address }], ports }],
  }, ['subsets']);
  await ensureObject(registry, endpointSlices, NS, NAME, {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: NAME, namespace: NS, labels: { [SERVICE_NAME_LABEL]: NAME, [MANAGED_BY_LABEL]: APISERVER_MANAGER } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports,
  }, ['endpoints', 'ports']);
}
