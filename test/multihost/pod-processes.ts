// What a pod runs on this machine, read from /proc: each container instance is a wrapper shell that leads its own
// process group and names its exit file (under <root-dir>/pods/<uid>/) in its argv; the container's processes are
// the rest of that group. Pods of agents in other network namespaces are still in our pid namespace.
import { readdirSync, readFileSync } from 'node:fs';
import { waitFor } from '@podling/testkit';

interface ProcInfo { pid: number; pgrp: number; cmdline: string }

function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      out.push({ pid: Number(p), pgrp: Number(pgrp), cmdline: readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** Sorted pids of everything the pod runs under `rootDir`: its wrappers and their process groups. */
export function podProcesses(rootDir: string, uid: string): number[] {
  const all = processes();
  const wrappers = new Set(all.filter((p) => p.cmdline.includes(`podling-container ${rootDir}/pods/${uid}/`)).map((p) => p.pid));
  return all.filter((p) => wrappers.has(p.pid) || wrappers.has(p.pgrp)).map((p) => p.pid).sort((a, b) => a - b);
}

/** The pod's processes once it runs a wrapper and its container's process: Running is reported when the wrapper
 *  runs, a moment before it forks the container's. */
export function startedPodProcesses(rootDir: string, uid: string): Promise<number[]> {
  return waitFor(() => { const p = podProcesses(rootDir, uid); return p.length === 2 && p; }, { message: `pod ${uid}: wrapper + container process` });
}
