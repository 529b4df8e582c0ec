// A node's IPv4 pod range (Node spec.podCIDR, or the agent's --pod-cidr): its gateway and the addresses pods may get.
// As CNI's bridge + host-local: the first host address (.1 of a /24) is the bridge's gateway, the network and
// broadcast addresses are never handed out, and pods get the rest.
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export class PodCidr {
  private constructor(readonly network: number, readonly prefix: number) {}

  /** Parses an IPv4 CIDR of /8 to /30; throws with a message naming the problem otherwise. */
  static parse(text: string): PodCidr {
    const m = IPV4_CIDR.exec(text.trim());
    const octets = m ? m.slice(1, 5).map(Number) : [];
    const prefix = m ? Number(m[5]) : NaN;
    if (!m || octets.some((o) => o > 255)) throw new Error(`${JSON.stringify(text)} is not an IPv4 CIDR (a.b.c.d/n)`);
    if (prefix < 8 || prefix > 30) throw new Error(`${JSON.stringify(text)}: the prefix must be between /8 and /30`);
    const addr = octets.reduce((a, o) => a * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    return new PodCidr(addr - (addr % size), prefix);
  }

  get size(): number { return 2 ** (32 - this.prefix); }
  get text(): string { return `${toIP(this.network)}/${this.prefix}`; }
  /** The bridge's address: the first host address of the range. */
  get gateway(): string { return toIP(this.network + 1); }
  /** Host offsets pods may get: 2 … size-2 (network, gateway and broadcast excluded). */
  get firstOffset(): number { return 2; }
  get lastOffset(): number { return this.size - 2; }
  ipAt(offset: number): string { return toIP(this.network + offset); }

  /** The offset of `ip` in this range, or undefined when it lies outside. */
  offsetOf(ip: string): number | undefined {
    const n = ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const off = n - this.network;
    return Number.isInteger(off) && off >= 0 && off < this.size ? off : undefined;
  }
}

function toIP(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
