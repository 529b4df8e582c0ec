// Finding and killing the container processes an agent started. An agent deliberately leaves its containers
// running when it stops (as a kubelet restart does), so a test that is done with an agent must reap them itself.
import { readdirSync, readFileSync } from 'node:fs';

/** Live pids whose command line mentions `needle` (container wrappers carry their root dir in their argv). */
export function pidsMatching(needle: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (cmd.includes(needle) && !/\) Z /.test(stat)) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

/** SIGKILLs every container process group started under an agent's root dir. */
export function killPodProcesses(rootDir: string): void {
  for (const pid of pidsMatching(`${rootDir}/pods/`)) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* not a group leader */ }
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
