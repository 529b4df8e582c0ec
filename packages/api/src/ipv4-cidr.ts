// IPv4 CIDR arithmetic for pod ranges: the cluster range (`--cluster-cidr`), a node's block of it
// (`spec.podCIDR`) and membership tests. Addresses are unsigned 32-bit numbers so block i of a range is plain
// arithmetic (k/k pkg/controller/nodeipam/ipam/cidrset/cidr_set.go does the same with big.Int). IPv6 pod ranges
// are not supported by Podling; callers report that instead of guessing.
import { isIPv4 } from 'node:net';

export interface Ipv4Cidr {
  /** The network address (host bits zero). */
  base: number;
  prefix: number;
}

export function parseIpv4(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  return text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The number of addresses of a prefix length. */
export const cidrSize = (prefix: number): number => 2 ** (32 - prefix);

/**
 * `a.b.c.d/n` → its network; `strict` also refuses host bits (`10.244.0.1/16`), which a flag or an allocated block
 * must not carry; Kubernetes' API validation (ParseCIDRSloppy) accepts them.
 */
export function parseIpv4Cidr(text: string, strict = true): Ipv4Cidr | undefined {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text);
  if (!m) return undefined;
  const addr = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (addr === undefined || prefix > 32) return undefined;
  const base = addr - (addr % cidrSize(prefix));
  if (strict && base !== addr) return undefined;
  return { base, prefix };
}

export const formatCidr = (c: Ipv4Cidr): string => `${formatIpv4(c.base)}/${c.prefix}`;

export const cidrContains = (c: Ipv4Cidr, addr: number): boolean => addr >= c.base && addr < c.base + cidrSize(c.prefix);
