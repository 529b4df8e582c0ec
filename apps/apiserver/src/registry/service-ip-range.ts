// An IPv4 CIDR as the ClusterIP allocator sees it: addresses by index from the network address. The network
// address (index 0) and the broadcast address (last index) are never handed out (k/k
// pkg/registry/core/service/ipallocator/bitmap.go). Index 1 is the `kubernetes` Service's, index 10 cluster DNS's.

export interface IPRange {
  cidr: string;
  /** The network address as an unsigned 32-bit number. */
  base: number;
  /** Number of addresses in the CIDR, network and broadcast included. */
  size: number;
}

const toNumber = (ip: string): number | undefined => {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
};

const toIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** Parses `a.b.c.d/n`; Kubernetes wants at least 8 addresses (a /29) in a service range. */
export function parseIPRange(cidr: string): IPRange | string {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  const addr = m ? toNumber(m[1]) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (addr === undefined || !(bits >= 0 && bits <= 29)) return `${JSON.stringify(cidr)} is not an IPv4 CIDR of /29 or wider`;
  const size = 2 ** (32 - bits);
  return { cidr, base: addr - (addr % size), size };
}

/** The address at `index` in the range. */
export function ipAt(range: IPRange, index: number): string {
  return toIp(range.base + index);
}

/** The index of `ip` in the range, or undefined when it is outside or not an IPv4 address. */
export function indexOf(range: IPRange, ip: string): number | undefined {
  const n = toNumber(ip);
  if (n === undefined || n < range.base || n >= range.base + range.size) return undefined;
  return n - range.base;
}

/** Whether `ip` may be handed out: inside, and neither the network nor the broadcast address. */
export function isAllocatable(range: IPRange, ip: string): boolean {
  const i = indexOf(range, ip);
  return i !== undefined && i > 0 && i < range.size - 1;
}
