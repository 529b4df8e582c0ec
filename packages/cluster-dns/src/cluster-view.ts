// What the DNS server knows of the cluster: Services and EndpointSlices by namespace and name, kept by informer
// handlers (cluster-dns.ts) or filled directly by tests. Lookups are case-insensitive (names are stored lowercase,
// as Kubernetes names are). Only ready endpoints are served (the DNS spec's "ready"; `conditions.ready` absent means
// ready, as in discovery/v1).
import { SERVICE_NAME_LABEL, type EndpointSlice, type Service } from '@podling/api';

export interface ReadyEndpoint { ip: string; hostname?: string }
export interface SlicePort { name?: string; port?: number; protocol?: string }

const key = (ns: string, name: string) => `${ns}/${name}`;

export class ClusterView {
  private readonly services = new Map<string, Service>();
  private readonly slices = new Map<string, EndpointSlice>();
  /** Service key → keys of its EndpointSlices. */
  private readonly slicesOf = new Map<string, Set<string>>();

  constructor(services: Service[] = [], slices: EndpointSlice[] = []) {
    for (const s of services) this.setService(s);
    for (const s of slices) this.setSlice(s);
  }

  setService(svc: Service): void { this.services.set(key(svc.metadata.namespace!, svc.metadata.name!), svc); }
  deleteService(svc: Service): void { this.services.delete(key(svc.metadata.namespace!, svc.metadata.name!)); }

  setSlice(slice: EndpointSlice): void {
    const k = key(slice.metadata.namespace!, slice.metadata.name!);
    this.deleteSlice(slice);
    const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) return;
    this.slices.set(k, slice);
    const sk = key(slice.metadata.namespace!, svc);
    if (!this.slicesOf.has(sk)) this.slicesOf.set(sk, new Set());
    this.slicesOf.get(sk)!.add(k);
  }

  deleteSlice(slice: EndpointSlice): void {
    const k = key(slice.metadata.namespace!, slice.metadata.name!);
    const old = this.slices.get(k);
    if (!old) return;
    this.slices.delete(k);
    const sk = key(old.metadata.namespace!, old.metadata.labels?.[SERVICE_NAME_LABEL] ?? '');
    this.slicesOf.get(sk)?.delete(k);
    if (this.slicesOf.get(sk)?.size === 0) this.slicesOf.delete(sk);
  }

  service(ns: string, name: string): Service | undefined { return this.services.get(key(ns, name)); }

  /** Whether any Service lives in `ns` (the DNS server watches no Namespaces: an empty one is as good as none). */
  hasNamespace(ns: string): boolean {
    for (const k of this.services.keys()) if (k.startsWith(`${ns}/`)) return true;
    return false;
  }

  /** The Service's ready IPv4 endpoints, one per address, and the ports its slices publish. */
  endpoints(ns: string, name: string): { endpoints: ReadyEndpoint[]; ports: SlicePort[] } {
    const seen = new Set<string>();
    const endpoints: ReadyEndpoint[] = [];
    const ports: SlicePort[] = [];
    for (const k of this.slicesOf.get(key(ns, name)) ?? []) {
      const slice = this.slices.get(k)!;
      if (slice.addressType !== 'IPv4') continue;
      for (const p of slice.ports ?? []) if (!ports.some((q) => q.name === p.name && q.protocol === p.protocol)) ports.push(p);
      for (const e of slice.endpoints ?? []) {
        if (e.conditions?.ready === false) continue;
        for (const ip of e.addresses) {
          if (seen.has(ip)) continue;
          seen.add(ip);
          endpoints.push({ ip, ...(e.hostname ? { hostname: e.hostname } : {}) });
        }
      }
    }
    return { endpoints, ports };
  }

  /** What owns `ip`: a Service's ClusterIP, else a ready endpoint of a headless Service (for PTR answers). */
  owner(ip: string): { service: Service; endpoint?: ReadyEndpoint } | undefined {
    for (const svc of this.services.values()) if (svc.spec.clusterIP === ip) return { service: svc };
    for (const svc of this.services.values()) {
      if (svc.spec.clusterIP !== 'None') continue;
      const endpoint = this.endpoints(svc.metadata.namespace!, svc.metadata.name!).endpoints.find((e) => e.ip === ip);
      if (endpoint) return { service: svc, endpoint };
    }
    return undefined;
  }
}
