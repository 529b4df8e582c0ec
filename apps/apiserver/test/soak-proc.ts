// What the soak test samples from /proc: a process's resident memory and open file descriptors, and the pod
// processes an agent runs (their command line carries the agent's root dir, see the kubelet's container wrapper).
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcSample { rssMb: number; fds: number }

export function sampleProc(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb / 102.4) / 10, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** Live (non-zombie) pids whose command line contains `needle`. */
export function pidsMatching(needle: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (cmd.includes(needle) && !/\) Z /.test(stat)) out.push(Number(p));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** Safety net for after(): no soak run may leave pod processes behind, whatever failed. */
export function killMatching(needle: string): void {
  for (const pid of pidsMatching(needle)) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* not a group leader */ }
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
