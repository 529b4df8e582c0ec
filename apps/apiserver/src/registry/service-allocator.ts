// ClusterIP and NodePort allocation for Services. Decision: no allocation state of its own. What is taken is read
// from the stored Services at each allocation (plus values handed out in this process whose create has not been
// stored yet), so a restart, a crash between allocating and storing, or a deleted Service can neither leak nor
// double-allocate, and no repair pass is needed (kube-apiserver keeps a bitmap and repairs it; with Podling's one
// store the stored Services are that bitmap). Listing Services on each Service write is cheap at Podling's scale.
// Known gap: two apiservers on one store could pick the same free value at the same instant.
import { errors, field, type FieldError, type Service } from '@podling/api';
import type { Storage } from '@podling/store';
import { indexOf, ipAt, isAllocatable, type IPRange } from './service-ip-range.ts';

export interface PortRange { base: number; size: number }

/** `--service-node-port-range`: `low-high`, inclusive. */
export function parsePortRange(text: string): PortRange | string {
  const m = /^(\d+)-(\d+)$/.exec(text);
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || lo < 1 || hi > 65535 || lo > hi) return `${JSON.stringify(text)} is not a port range like 30000-32767`;
  return { base: lo, size: hi - lo + 1 };
}

/** How long a value handed out for a create that is not stored yet stays reserved. */
const RESERVATION_MS = 30_000;

export class ServiceAllocator {
  private readonly pending = new Map<string, number>();

  constructor(private readonly storage: Storage, readonly ipRange: IPRange, readonly portRange: PortRange,
    private readonly random: () => number = Math.random) {}

  /** Values held by stored Services other than `self` (namespace/name) and by pending creates. */
  private taken(self?: string): { ips: Set<string>; ports: Set<number> } {
    const ips = new Set<string>();
    const ports = new Set<number>();
    for (const { object } of this.storage.list('services', {}).items) {
      const svc = object as Service;
      // A stored value needs no reservation any more: the store holds it (and frees it with the Service).
      for (const ip of svc.spec?.clusterIPs ?? []) this.pending.delete(`ip:${ip}`);
      for (const p of svc.spec?.ports ?? []) if (p.nodePort) this.pending.delete(`port:${p.nodePort}`);
      if (`${svc.metadata.namespace}/${svc.metadata.name}` === self) continue;
      for (const ip of svc.spec?.clusterIPs ?? []) ips.add(ip);
      for (const p of svc.spec?.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
    }
    const now = Date.now();
    for (const [k, until] of this.pending) {
      if (until < now) { this.pending.delete(k); continue; }
      if (k.startsWith('ip:')) ips.add(k.slice(3)); else ports.add(Number(k.slice(5)));
    }
    return { ips, ports };
  }

  private reserve(key: string): void {
    this.pending.set(key, Date.now() + RESERVATION_MS);
  }

  /** Gives `svc` a ClusterIP unless it is headless or already has one; a requested IP must be free and in range. */
  allocateClusterIP(svc: Service, self?: string): void {
    const spec = svc.spec;
    if (spec.type === 'ExternalName' || spec.clusterIP === 'None') return;
    const { ips } = this.taken(self);
    const wanted = spec.clusterIP;
    let ip: string;
    if (wanted) {
      const fail = (why: string) => this.fail(svc, field.invalid('spec.clusterIPs', [wanted], `failed to allocate IP ${wanted}: ${why}`));
      if (!isAllocatable(this.ipRange, wanted)) fail(`provided IP is not in the valid range. The range of valid IPs is ${this.ipRange.cidr}`);
      if (ips.has(wanted)) fail('provided IP is already allocated');
      ip = wanted;
    } else {
      ip = this.pickIP(ips) ?? this.fail(svc, field.invalid('spec.clusterIPs', [], 'failed to allocate a serviceIP: range is full'));
    }
    this.reserve(`ip:${ip}`);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }

  /** Gives every port of a NodePort/LoadBalancer `svc` a node port; `keep` are ports the Service already holds. */
  allocateNodePorts(svc: Service, self?: string, keep: Set<number> = new Set()): void {
    const spec = svc.spec;
    if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') return;
    const { ports } = this.taken(self);
    const { base, size } = this.portRange;
    (spec.ports ?? []).forEach((p, i) => {
      if (p.nodePort && keep.has(p.nodePort)) return;
      if (p.nodePort) {
        const path = `spec.ports[${i}].nodePort`;
        if (p.nodePort < base || p.nodePort >= base + size) {
          this.fail(svc, field.invalid(path, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${base}-${base + size - 1}`));
        }
        if (ports.has(p.nodePort)) this.fail(svc, field.invalid(path, p.nodePort, 'provided port is already allocated'));
      } else {
        p.nodePort = this.pickPort(ports) ?? this.fail(svc, field.invalid(`spec.ports[${i}].nodePort`, 0, 'failed to allocate a nodePort: range is full'));
      }
      ports.add(p.nodePort);
      this.reserve(`port:${p.nodePort}`);
    });
  }

  /** A random free address, from the upper band first so fixed low addresses (.1, .10) rarely collide (bitmap.go). */
  private pickIP(taken: Set<string>): string | undefined {
    const { size } = this.ipRange;
    const staticBand = Math.min(Math.max(16, Math.floor(size / 16)), 256);
    const pick = (lo: number, hi: number): number | undefined => {
      const span = hi - lo;
      if (span <= 0) return undefined;
      const start = Math.floor(this.random() * span);
      for (let k = 0; k < span; k++) {
        const i = lo + ((start + k) % span);
        if (!taken.has(ipAt(this.ipRange, i))) return i;
      }
      return undefined;
    };
    const i = pick(Math.min(staticBand, size - 1), size - 1) ?? pick(1, Math.min(staticBand, size - 1));
    return i === undefined ? undefined : ipAt(this.ipRange, i);
  }

  private pickPort(taken: Set<number>): number | undefined {
    const { base, size } = this.portRange;
    const start = Math.floor(this.random() * size);
    for (let k = 0; k < size; k++) {
      const port = base + ((start + k) % size);
      if (!taken.has(port)) return port;
    }
    return undefined;
  }

  /** Whether `ip` is an address this allocator hands out (for the `kubernetes` Service's fixed index). */
  contains(ip: string): boolean {
    return indexOf(this.ipRange, ip) !== undefined;
  }

  private fail(svc: Service, e: FieldError): never {
    throw errors.invalid('Service', svc.metadata.name ?? '', [e], '');
  }
}
