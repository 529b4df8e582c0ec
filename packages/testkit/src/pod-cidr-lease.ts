// Pod ranges for test agents that no other agent on this machine uses at the same time, even in another test
// process: two bridges with the same range would make the host's routes to pods ambiguous. A lease is a file
// /tmp/podling-pod-cidrs/<n> created exclusively and holding the agent's root dir; it is the same range again for
// a restarted agent with the same root dir, and free again once that root dir is gone (the test removed it).
// makeTempDir's remove() frees the leases it made stale, so a finished test run leaves no file behind.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const DIR = path.join(os.tmpdir(), 'podling-pod-cidrs');
/** 10.250.0.0/16 split into /24s: outside kubeadm/flannel's 10.244.0.0/16, which the control plane hands out. */
const RANGES = 256;
const cidrOf = (n: number) => `10.250.${n}.0/24`;

export function leasePodCidr(rootDir: string): string {
  mkdirSync(rootDir, { recursive: true }); // a lease whose root dir is missing counts as free
  const mine = heldLeases().get(rootDir);
  if (mine !== undefined) return cidrOf(mine);
  mkdirSync(DIR, { recursive: true });
  for (let i = 0; i < RANGES; i++) {
    const n = (Math.floor(Math.random() * RANGES) + i) % RANGES;
    try {
      writeFileSync(path.join(DIR, String(n)), rootDir, { flag: 'wx' });
      return cidrOf(n);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') continue; // taken
      mkdirSync(DIR, { recursive: true }); // another process's freeStalePodCidrs removed the directory: try n again
      i--;
    }
  }
  throw new Error(`no free pod range for a test agent: all ${RANGES} leases in ${DIR} are held`);
}

/** Frees the leases whose root dir is gone, and the lease directory once no lease is held. */
export function freeStalePodCidrs(): void {
  if (heldLeases().size > 0) return;
  try { rmdirSync(DIR); } catch { /* missing, or a lease was made meanwhile */ }
}

/** The ranges still held, by root dir; a lease whose root dir is gone is deleted on the way. */
function heldLeases(): Map<string, number> {
  const held = new Map<string, number>();
  let files: string[];
  try { files = readdirSync(DIR); } catch { return held; }
  for (const f of files) {
    const owner = read(path.join(DIR, f));
    if (!owner) continue; // unreadable, or created and not yet written by its agent
    if (existsSync(owner)) held.set(owner, Number(f));
    else rmSync(path.join(DIR, f), { force: true });
  }
  return held;
}

function read(p: string): string | undefined {
  try { return readFileSync(p, 'utf8'); } catch { return undefined; }
}
