// A node's IPv4 pod range (Node spec.podCIDR, or the agent's --pod-cidr): its gateway and the addresses pods may get.
// As CNI's bridge + host-local: the first host address (.1 of a /24) is the bridge's gateway, the network and
// broadcast addresses are never handed out, and pods get the rest. The arithmetic is @podling/api's (ipv4-cidr.ts).
import { cidrContains, cidrSize, formatCidr, formatIpv4, parseIpv4, parseIpv4Cidr, type Ipv4Cidr } from '@podling/api';

export class PodCidr {
  private constructor(private readonly cidr: Ipv4Cidr) {}

  /** Parses an IPv4 CIDR of /8 to /30 (host bits allowed, as the API's validation does); throws naming the problem. */
  static parse(text: string): PodCidr {
    const c = parseIpv4Cidr(text.trim(), false);
    if (!c) throw new Error(`${JSON.stringify(text)} is not an IPv4 CIDR (a.b.c.d/n)`);
    if (c.prefix < 8 || c.prefix > 30) throw new Error(`${JSON.stringify(text)}: the prefix must be between /8 and /30`);
    return new PodCidr(c);
  }

  get prefix(): number { return this.cidr.prefix; }
  get text(): string { return formatCidr(this.cidr); }
  /** The bridge's address: the first host address of the range. */
  get gateway(): string { return formatIpv4(this.cidr.base + 1); }
  /** Host offsets pods may get: 2 … size-2 (network, gateway and broadcast excluded). */
  get firstOffset(): number { return 2; }
  get lastOffset(): number { return cidrSize(this.cidr.prefix) - 2; }
  ipAt(offset: number): string { return formatIpv4(this.cidr.base + offset); }

  /** The offset of `ip` in this range, or undefined when it lies outside. */
  offsetOf(ip: string): number | undefined {
    const n = parseIpv4(ip);
    return n !== undefined && cidrContains(this.cidr, n) ? n - this.cidr.base : undefined;
  }
}
