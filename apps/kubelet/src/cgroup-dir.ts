// Operations on one cgroup directory, the same on every hierarchy: read its processes, kill them all, remove it
// once they are gone. Killing: cgroup v2's `cgroup.kill` (Linux 5.14+), which the kernel makes atomic against forks
// and which covers the whole subtree; otherwise SIGKILL to each pid in cgroup.procs until it is empty — a process
// being killed cannot fork, so each round shrinks.
import { readdirSync, readFileSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/** How long removal waits for killed processes to be reaped before giving up (they are SIGKILLed: moments). */
const EMPTY_WAIT_MS = 5000;
const EMPTY_POLL_MS = 10;
const KILL_ROUNDS = 100;

export const cgroupDir = {
  procs(dir: string): number[] {
    try {
      return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter((l) => l !== '').map(Number);
    } catch {
      return [];
    }
  },

  /** SIGKILLs every process of `dir`; true when that was its whole subtree at once (cgroup.kill). */
  kill(dir: string): boolean {
    if (existsSync(path.join(dir, 'cgroup.kill'))) {
      try { writeFileSync(path.join(dir, 'cgroup.kill'), '1'); return true; } catch { /* fall back to the loop */ }
    }
    for (let round = 0; round < KILL_ROUNDS; round++) {
      const pids = cgroupDir.procs(dir);
      if (pids.length === 0) return false;
      for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    }
    return false;
  },

  /**
   * Kills what is in `dir` and removes it once the processes are gone (rmdir is EBUSY until then). `drain` runs
   * once, when no process is left and before the rmdir: what the cgroup must give back first (memory charges).
   */
  async remove(dir: string, drain?: (dir: string) => Promise<void>): Promise<void> {
    if (!existsSync(dir)) return;
    cgroupDir.kill(dir);
    const until = Date.now() + EMPTY_WAIT_MS;
    for (;;) {
      const empty = cgroupDir.procs(dir).length === 0;
      if (empty && drain) { await drain(dir).catch(() => {}); drain = undefined; }
      if (cgroupDir.rmdir(dir) || !existsSync(dir) || Date.now() >= until) return;
      if (!empty) cgroupDir.kill(dir);
      await new Promise((r) => setTimeout(r, EMPTY_POLL_MS));
    }
  },

  /** rmdir without throwing; true when the directory is gone. */
  rmdir(dir: string): boolean {
    try { rmdirSync(dir); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'ENOENT'; }
  },

  subdirs(dir: string): string[] {
    try { return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name); } catch { return []; }
  },
};
