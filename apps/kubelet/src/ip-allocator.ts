// host-local-style IPAM for the node's pod range (as CNI's host-local plugin keeps it under
// /var/lib/cni/networks/<net>/): one file per allocated IP, named by the IP and holding the pod UID, in
// <root>/ipam/. The file is created exclusively (O_EXCL, as host-local does), which fails when the IP is taken, and
// the UID is in it before the IP is handed out, so a restarted agent (even after kill -9) never gives an IP out
// twice. An empty file is what a crash between the create and the write leaves: that IP was never handed out, and
// it is freed on load. Allocation goes round robin from the last one (`last_reserved_ip`), so a released IP is not
// reused at once; it is overwritten in place at a fixed width, never truncated (a truncating rewrite cost ~0.4 ms
// per pod on the project's journal-less ext4, which frees and allocates its block each time). (One new inode per
// pod: a temporary file and a hard link cost twice the metadata work, and on a node making pods in a burst that was
// most of the agent's share of a sandbox.)
import { closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { PodCidr } from './pod-cidr.ts';

const LAST = 'last_reserved_ip';
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export class IpAllocator {
  readonly dir: string;
  /** ip → pod UID, as on disk. */
  private readonly owners = new Map<string, string>();
  /** The last IP handed out, as in `last_reserved_ip`. */
  private last: string | undefined;

  constructor(root: string) {
    this.dir = path.join(root, 'ipam');
    mkdirSync(this.dir, { recursive: true });
    for (const f of readdirSync(this.dir)) {
      if (f.startsWith('.tmp-')) { rmSync(path.join(this.dir, f), { force: true }); continue; } // an older agent's
      if (!IPV4.test(f)) continue;
      let owner;
      try { owner = readFileSync(path.join(this.dir, f), 'utf8').trim(); } catch { continue; /* raced a release */ }
      if (owner) this.owners.set(f, owner);
      else rmSync(path.join(this.dir, f), { force: true });
    }
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
      try {
        writeFileSync(path.join(this.dir, ip), uid, { flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      this.owners.set(ip, uid);
      this.last = ip;
      const fd = openSync(path.join(this.dir, LAST), constants.O_RDWR | constants.O_CREAT, 0o644);
      try { writeSync(fd, `${ip.padEnd(15)}\n`, 0); } finally { closeSync(fd); }
      return ip;
    }
    throw new Error(`no free IP address in the node's pod range ${cidr.text} (${span} addresses, all allocated)`);
  }

  /** Frees every IP pod `uid` holds; a no-op when it holds none. */
  release(uid: string): void {
    for (const [ip, owner] of this.owners) {
      if (owner !== uid) continue;
      rmSync(path.join(this.dir, ip), { force: true });
      this.owners.delete(ip);
    }
  }
}
