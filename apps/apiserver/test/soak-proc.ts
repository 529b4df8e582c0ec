// What the soak test samples from /proc: a process's resident memory and open file descriptors.
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcSample { rssMb: number; fds: number }

export function sampleProc(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb / 102.4) / 10, fds: readdirSync(`/proc/${pid}/fd`).length };
}
