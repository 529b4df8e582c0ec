// What the node can give its pods, as bounded by the cgroups their own cgroups live under: the smallest memory
// limit and CPU quota from the agent's directory up to the hierarchy's root (a node that is itself a container or a
// limited slice has less than the machine). The Node's capacity and allocatable report this (node-object.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Hierarchy } from './cgroup-hierarchies.ts';

export interface CgroupBounds { memoryBytes?: number; cpus?: number }

export function cgroupBounds(memory: Hierarchy | undefined, cpu: Hierarchy | undefined): CgroupBounds {
  const out: CgroupBounds = {};
  for (const dir of memory ? ancestors(memory) : []) {
    const v = memory!.kind === 'v2' ? read(dir, 'memory.max') : read(dir, 'memory.limit_in_bytes');
    const n = Number(v);
    if (v !== undefined && Number.isSafeInteger(n)) out.memoryBytes = Math.min(out.memoryBytes ?? n, n);
  }
  for (const dir of cpu ? ancestors(cpu) : []) {
    let quota: number; let period: number;
    if (cpu!.kind === 'v2') [quota, period] = (read(dir, 'cpu.max') ?? 'max').split(' ').map(Number);
    else [quota, period] = [Number(read(dir, 'cpu.cfs_quota_us')), Number(read(dir, 'cpu.cfs_period_us'))];
    if (quota > 0 && period > 0) out.cpus = Math.min(out.cpus ?? Infinity, quota / period);
  }
  return out;
}

/** The agent's directory and each parent up to (not including) the mount, where the root has no limit files. */
function ancestors(h: Hierarchy): string[] {
  const dirs: string[] = [];
  for (let d = h.dir; d.startsWith(h.mount) && d !== h.mount; d = path.dirname(d)) dirs.push(d);
  return dirs;
}

function read(dir: string, file: string): string | undefined {
  try { return readFileSync(path.join(dir, file), 'utf8').trim(); } catch { return undefined; }
}
