// What the node proxy programs, reduced from the Services and their EndpointSlices (kube-proxy's service and
// endpoints change trackers, k/k pkg/proxy/servicechangetracker.go, endpointschangetracker.go, topology.go): one
// entry per port of a Service that has a ClusterIP, with the endpoints a new connection may be sent to.
//
// - Ready endpoints only (`conditions.ready`, nil meaning ready as in discovery/v1). When none is ready, the ones
//   that are serving and terminating take the traffic, as kube-proxy does since ProxyTerminatingEndpoints: a
//   rolling update that has only terminating pods left still answers instead of refusing.
// - A Service without any EndpointSlice falls back to its v1 Endpoints (hand-written endpoints of a selector-less
//   Service, which Kubernetes' EndpointSlice mirroring controller would have copied into a slice).
// - Headless and ExternalName Services, and IPv6, get no rules. Traffic policies `Local` are not modelled: every
//   endpoint, on this node or another, takes traffic (the `Cluster` policy).
import { isHeadless, SERVICE_NAME_LABEL, type EndpointSlice, type Endpoints, type Service } from '@podling/api';

export type L4Protocol = 'tcp' | 'udp' | 'sctp';

export interface ProxyEndpoint { ip: string; port: number }

export interface ProxyServicePort {
  namespace: string;
  service: string;
  /** spec.ports[].name, '' for a single unnamed port. */
  portName: string;
  protocol: L4Protocol;
  clusterIP: string;
  port: number;
  /** Set for NodePort (and LoadBalancer) Services. */
  nodePort?: number;
  /** Where new connections go, sorted; empty: connections are refused. */
  endpoints: ProxyEndpoint[];
  /** sessionAffinity ClientIP: how long a client stays with its endpoint. */
  affinitySeconds?: number;
}

const DEFAULT_AFFINITY_SECONDS = 10800;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

const ipKey = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const byAddress = (a: ProxyEndpoint, b: ProxyEndpoint) => ipKey(a.ip) - ipKey(b.ip) || a.port - b.port;
const isIpv4 = (s: string | undefined): s is string => !!s && IPV4.test(s) && s.split('.').every((o) => Number(o) <= 255);
const protocolOf = (p: string | undefined): L4Protocol | undefined => {
  const l = (p ?? 'TCP').toLowerCase();
  return l === 'tcp' || l === 'udp' || l === 'sctp' ? l : undefined;
};

/** The endpoints of one service port from its slices: ready ones, else serving-and-terminating ones. */
function fromSlices(slices: EndpointSlice[], portName: string, protocol: L4Protocol): ProxyEndpoint[] {
  const ready = new Map<string, ProxyEndpoint>();
  const fallback = new Map<string, ProxyEndpoint>();
  for (const s of slices) {
    if (s.addressType !== 'IPv4') continue;
    const port = s.ports?.find((p) => (p.name ?? '') === portName && protocolOf(p.protocol) === protocol)?.port;
    if (!port) continue;
    for (const e of s.endpoints ?? []) {
      const isReady = e.conditions?.ready ?? true;
      const serving = e.conditions?.serving ?? isReady;
      const into = isReady ? ready : serving && e.conditions?.terminating ? fallback : undefined;
      for (const ip of e.addresses.filter(isIpv4)) into?.set(`${ip}:${port}`, { ip, port });
    }
  }
  return [...(ready.size ? ready : fallback).values()].sort(byAddress);
}

/** The endpoints of one service port from a v1 Endpoints object (its ready addresses). */
function fromEndpoints(ep: Endpoints | undefined, portName: string, protocol: L4Protocol): ProxyEndpoint[] {
  const out = new Map<string, ProxyEndpoint>();
  for (const subset of ep?.subsets ?? []) {
    const port = subset.ports?.find((p) => (p.name ?? '') === portName && protocolOf(p.protocol) === protocol)?.port;
    if (!port) continue;
    for (const a of subset.addresses ?? []) if (isIpv4(a.ip)) out.set(`${a.ip}:${port}`, { ip: a.ip, port });
  }
  return [...out.values()].sort(byAddress);
}

/** Every proxied service port, in a stable order (namespace, name, port). */
export function proxyServicePorts(services: Service[], slices: EndpointSlice[], endpoints: Endpoints[] = []): ProxyServicePort[] {
  const slicesOf = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const key = `${s.metadata.namespace}/${svc}`;
    slicesOf.set(key, [...(slicesOf.get(key) ?? []), s]);
  }
  const endpointsOf = new Map(endpoints.map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e]));
  const out: ProxyServicePort[] = [];
  for (const svc of services) {
    const clusterIP = svc.spec?.clusterIP;
    if (!isIpv4(clusterIP) || isHeadless(svc) || svc.spec.type === 'ExternalName') continue;
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const affinity = svc.spec.sessionAffinity === 'ClientIP'
      ? svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS : undefined;
    const withNodePorts = svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer';
    for (const p of svc.spec.ports ?? []) {
      const protocol = protocolOf(p.protocol);
      if (!protocol) continue;
      const portName = p.name ?? '';
      const sliced = slicesOf.get(key);
      out.push({
        namespace: svc.metadata.namespace!, service: svc.metadata.name!, portName, protocol, clusterIP, port: p.port,
        ...(withNodePorts && p.nodePort ? { nodePort: p.nodePort } : {}),
        endpoints: sliced ? fromSlices(sliced, portName, protocol) : fromEndpoints(endpointsOf.get(key), portName, protocol),
        ...(affinity !== undefined ? { affinitySeconds: affinity } : {}),
      });
    }
  }
  const name = (p: ProxyServicePort) => `${p.namespace}/${p.service}`;
  return out.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : a.port - b.port || (a.protocol < b.protocol ? -1 : 1)));
}
