// Host id ranges for pods with hostUsers: false: each such pod gets its own block of USER_NAMESPACE_SIZE host
// uids/gids (container id N is host id base+N), so no two pods of this agent share a host identity, and none is a
// user of the host (blocks start at 2^20). The block is kept in the pod's record, so a restarted agent seeds this
// allocator from its records and an adopted pod keeps its ids. Agents sharing a machine draw from different
// regions (by a hash of their root dir; a clash of two agents' regions is possible, one agent per machine is the
// intended setup).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { USER_NAMESPACE_SIZE } from './container-security.ts';

const FIRST_ID = 2 ** 20;
/** Blocks per agent region: pods with a user namespace at once on one agent. */
const BLOCKS = 1024;
const REGION = BLOCKS * USER_NAMESPACE_SIZE;
/** Regions that fit below 2^32 − 1 (the invalid uid). */
const REGIONS = Math.floor((2 ** 32 - 1 - FIRST_ID) / REGION);

export class UserNamespaceIds {
  private readonly byPod = new Map<string, number>();
  private readonly regionStart: number;

  constructor(rootDir: string, claimed: Iterable<[podUid: string, base: number | undefined]>) {
    const h = createHash('sha256').update(path.resolve(rootDir)).digest().readUInt32BE(0);
    this.regionStart = FIRST_ID + (h % REGIONS) * REGION;
    for (const [uid, base] of claimed) if (base !== undefined) this.byPod.set(uid, base);
  }

  /** The pod's base host id: the one it has, else the lowest free block; undefined when all are taken. */
  claim(podUid: string): number | undefined {
    const have = this.byPod.get(podUid);
    if (have !== undefined) return have;
    const used = new Set(this.byPod.values());
    for (let i = 0; i < BLOCKS; i++) {
      const base = this.regionStart + i * USER_NAMESPACE_SIZE;
      if (!used.has(base)) { this.byPod.set(podUid, base); return base; }
    }
    return undefined;
  }

  release(podUid: string): void {
    this.byPod.delete(podUid);
  }
}
