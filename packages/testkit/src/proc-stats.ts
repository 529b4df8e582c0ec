// Memory and CPU of a process from /proc: VmRSS, PSS (smaps_rollup), utime+stime, and the process tree below a pid.
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux this runs on (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** Resident set size in bytes, or undefined if the process is gone. */
export function rssBytes(pid: number): number | undefined {
  return statusField(pid, 'VmRSS');
}

/** Proportional set size in bytes (shared pages divided among their users), or undefined if unreadable. */
export function pssBytes(pid: number): number | undefined {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch { return undefined; }
}

function statusField(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch { return undefined; }
}

interface Stat { comm: string; ppid: number; pgrp: number; cpuSeconds: number; childCpuSeconds: number }

function readStat(pid: number): Stat | undefined {
  let text: string;
  try { text = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return undefined; }
  // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, pgrp 5, utime 14, stime 15.
  return {
    comm: text.slice(text.indexOf('(') + 1, close), ppid: Number(rest[1]), pgrp: Number(rest[2]),
    cpuSeconds: (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND,
    childCpuSeconds: (Number(rest[13]) + Number(rest[14])) / TICKS_PER_SECOND,
  };
}

/** CPU time (user + system) the process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  return readStat(pid)?.cpuSeconds ?? NaN;
}

/** CPU time (cutime + cstime) of the process's children that it has reaped: short-lived helpers it forked. */
export function childCpuSeconds(pid: number): number {
  return readStat(pid)?.childCpuSeconds ?? NaN;
}

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  return machineCpu().busy;
}

/** Machine-wide CPU seconds so far: busy (user+nice+system+irq+softirq) and steal (taken by the hypervisor). */
export function machineCpu(): { busy: number; steal: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return { busy: (cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6]) / TICKS_PER_SECOND, steal: cpu[7] / TICKS_PER_SECOND };
}

/** The command name (comm) of a live process, or undefined. */
export function commandName(pid: number): string | undefined {
  return readStat(pid)?.comm;
}

/** Whether the process leads its own process group (so `kill(-pid)` reaches it and everything it forked). */
export function isGroupLeader(pid: number): boolean {
  return readStat(pid)?.pgrp === pid;
}

/** The live processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  return processTree().get(pid) ?? [];
}

/** Every live process whose ancestry reaches `pid` (not `pid` itself). */
export function descendants(pid: number): number[] {
  const children = processTree();
  const out: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** parent pid → child pids, over every process in /proc. */
function processTree(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(Number(name));
    children.set(s.ppid, list);
  }
  return children;
}

/** Measures a process's CPU use over a window: cores used on average (1.0 = one core busy). */
export async function cpuCoresOver(pid: number, windowMs: number): Promise<{ cores: number; cpuSeconds: number }> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const used = cpuSeconds(pid) - c0;
  return { cores: used / ((performance.now() - t0) / 1000), cpuSeconds: used };
}

export const MiB = 1024 * 1024;

/**
 * Live processes whose command line contains `needle` (an agent's container wrappers carry their pod directory in
 * their argv), and every descendant of those (the containers themselves): one /proc scan. Zombies count as gone.
 */
export function processesUnder(needle: string): number[] {
  const children = new Map<number, number[]>();
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    let text: string;
    let cmd: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
      cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
    } catch { continue; }
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z') continue;
    const list = children.get(Number(rest[1])) ?? [];
    list.push(pid);
    children.set(Number(rest[1]), list);
    if (cmd.includes(needle) && pid !== process.pid) found.push(pid);
  }
  const out = new Set<number>();
  const stack = [...found];
  while (stack.length) {
    const p = stack.pop()!;
    if (out.has(p)) continue;
    out.add(p);
    stack.push(...(children.get(p) ?? []));
  }
  return [...out];
}
