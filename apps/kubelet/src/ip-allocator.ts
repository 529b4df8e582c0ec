// host-local-style IPAM for the node's pod range (CNI's host-local plugin keeps one file per allocated IP under
// /var/lib/cni/networks/<net>/, and `last_reserved_ip`). Here the allocations are records of one file,
// <root>/ipam/allocations, overwritten in place: a new file per pod was one more inode to create and delete per
// sandbox, and on a journal-less ext4 (this project's machines) every new inode scans past the ones deleted in the
// last minutes (fs/ext4/ialloc.c, recently_deleted), which made that file one of the costliest steps of a sandbox
// when pods come and go.
//
// A record is RECORD bytes, `<ip> <pod uid>` padded with spaces and ended by a newline, or all spaces when free.
// RECORD divides a 512-byte sector, so a record is written whole or not at all even when the machine stops mid-write.
// The record is on disk before the IP is handed out, so a restarted agent (even after kill -9) never gives an IP out
// twice. Allocation goes round robin from the last one (`last_reserved_ip`, overwritten in place at a fixed width),
// so a released IP is not reused at once. An older agent's one-file-per-IP allocations are taken over on load.
import { closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { PodCidr } from './pod-cidr.ts';

const LAST = 'last_reserved_ip';
const ALLOCATIONS = 'allocations';
const RECORD = 256;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const FREE = `${' '.repeat(RECORD - 1)}\n`;

export class IpAllocator {
  readonly dir: string;
  /** ip → pod UID, as on disk. */
  private readonly owners = new Map<string, string>();
  /** ip → its record's index in the allocations file. */
  private readonly slotOf = new Map<string, number>();
  /** Indexes of free records, reused before the file grows. */
  private readonly freeSlots: number[] = [];
  private slotCount = 0;
  /** The last IP handed out, as in `last_reserved_ip`. */
  private last: string | undefined;

  constructor(root: string) {
    this.dir = path.join(root, 'ipam');
    mkdirSync(this.dir, { recursive: true });
    let text = '';
    try { text = readFileSync(path.join(this.dir, ALLOCATIONS), 'latin1'); } catch { /* none yet */ }
    this.slotCount = Math.floor(text.length / RECORD);
    for (let i = 0; i < this.slotCount; i++) {
      const [ip, uid] = text.slice(i * RECORD, (i + 1) * RECORD).trim().split(/\s+/);
      if (ip && uid && IPV4.test(ip) && !this.owners.has(ip)) {
        this.owners.set(ip, uid);
        this.slotOf.set(ip, i);
      } else {
        this.freeSlots.push(i);
      }
    }
    for (const f of readdirSync(this.dir)) this.adoptLegacy(f);
    try { this.last = readFileSync(path.join(this.dir, LAST), 'utf8').trim(); } catch { this.last = undefined; }
  }

  /** The IP held by pod `uid`, if any. */
  find(uid: string): string | undefined {
    for (const [ip, owner] of this.owners) if (owner === uid) return ip;
    return undefined;
  }

  /** Pod UIDs holding an IP. */
  holders(): Set<string> {
    return new Set(this.owners.values());
  }

  /** The pod's IP: the one it holds, else the next free one of `cidr`; throws when the range is full. */
  allocate(uid: string, cidr: PodCidr): string {
    const held = this.find(uid);
    if (held) return held;
    const span = cidr.lastOffset - cidr.firstOffset + 1;
    const last = cidr.offsetOf(this.last ?? '') ?? cidr.firstOffset - 1;
    for (let i = 1; i <= span; i++) {
      const ip = cidr.ipAt(cidr.firstOffset + ((last - cidr.firstOffset + i + span) % span));
      if (this.owners.has(ip)) continue;
      this.record(ip, uid);
      this.last = ip;
      this.writeAt(LAST, `${ip.padEnd(15)}\n`, 0);
      return ip;
    }
    throw new Error(`no free IP address in the node's pod range ${cidr.text} (${span} addresses, all allocated)`);
  }

  /** Frees every IP pod `uid` holds; a no-op when it holds none. */
  release(uid: string): void {
    for (const [ip, owner] of this.owners) {
      if (owner !== uid) continue;
      const slot = this.slotOf.get(ip)!;
      this.writeAt(ALLOCATIONS, FREE, slot * RECORD);
      this.owners.delete(ip);
      this.slotOf.delete(ip);
      this.freeSlots.push(slot);
    }
  }

  /** Writes `ip`'s record for `uid` (to disk first) and takes it. */
  private record(ip: string, uid: string): void {
    const line = `${ip} ${uid}`;
    if (line.length > RECORD - 1 || /\s/.test(uid)) throw new Error(`pod uid ${JSON.stringify(uid)} cannot be recorded`);
    const slot = this.freeSlots.length ? this.freeSlots.pop()! : this.slotCount++;
    this.writeAt(ALLOCATIONS, `${line.padEnd(RECORD - 1)}\n`, slot * RECORD);
    this.owners.set(ip, uid);
    this.slotOf.set(ip, slot);
  }

  /** An older agent's `<ip>` file holding a UID: recorded here, then removed (an empty one was never handed out). */
  private adoptLegacy(file: string): void {
    if (!IPV4.test(file) && !file.startsWith('.tmp-')) return;
    const p = path.join(this.dir, file);
    let owner = '';
    try { owner = readFileSync(p, 'utf8').trim(); } catch { return; }
    if (IPV4.test(file) && owner && !this.owners.has(file)) this.record(file, owner);
    rmSync(p, { force: true });
  }

  private writeAt(file: string, text: string, offset: number): void {
    const fd = openSync(path.join(this.dir, file), constants.O_RDWR | constants.O_CREAT, 0o644);
    try { writeSync(fd, text, offset, 'latin1'); } finally { closeSync(fd); }
  }
}
