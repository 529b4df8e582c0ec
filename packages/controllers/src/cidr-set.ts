// The blocks of the cluster range, as k/k pkg/controller/nodeipam/ipam/cidrset/cidr_set.go keeps them: block i of
// `--cluster-cidr` with `--node-cidr-mask-size` is base + i · 2^(32 − mask); a bitmap says which are taken.
// allocateNext scans round robin from the block after the last one handed out, so a block freed by a deleted Node
// is not given straight back to the next Node (whose pods could still reach stale addresses of the old one).
import { cidrSize, formatCidr, parseIpv4Cidr, type Ipv4Cidr } from '@podling/api';

export class CidrSet {
  readonly size: number;
  private readonly used: Uint8Array;
  private nextCandidate = 0;

  constructor(readonly cluster: Ipv4Cidr, readonly nodeMask: number) {
    this.size = 2 ** (nodeMask - cluster.prefix);
    this.used = new Uint8Array(this.size);
  }

  blockAt(i: number): string {
    return formatCidr({ base: this.cluster.base + i * cidrSize(this.nodeMask), prefix: this.nodeMask });
  }

  /** The blocks a CIDR overlaps (host bits allowed, as in the API); none when it lies outside the cluster range. */
  blocksOf(cidr: string): number[] {
    const c = parseIpv4Cidr(cidr, false);
    if (!c) return [];
    const start = Math.max(c.base, this.cluster.base);
    const end = Math.min(c.base + cidrSize(c.prefix), this.cluster.base + cidrSize(this.cluster.prefix)) - 1;
    if (start > end) return [];
    const first = Math.floor((start - this.cluster.base) / cidrSize(this.nodeMask));
    const last = Math.floor((end - this.cluster.base) / cidrSize(this.nodeMask));
    return Array.from({ length: last - first + 1 }, (_, k) => first + k);
  }

  occupy(cidr: string): void { for (const i of this.blocksOf(cidr)) this.used[i] = 1; }

  release(cidr: string): void { for (const i of this.blocksOf(cidr)) this.used[i] = 0; }

  /** The next free block (marked used), or undefined when the range is full. */
  allocateNext(): string | undefined {
    for (let k = 0; k < this.size; k++) {
      const i = (this.nextCandidate + k) % this.size;
      if (this.used[i]) continue;
      this.used[i] = 1;
      this.nextCandidate = (i + 1) % this.size;
      return this.blockAt(i);
    }
    return undefined;
  }

  get free(): number { return this.used.reduce((n, u) => n + (u ? 0 : 1), 0); }
}
