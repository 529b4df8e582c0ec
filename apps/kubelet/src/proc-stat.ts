// /proc/<pid>/stat, read to tell a live process of ours from an exited one or from a reused pid.
import { readFileSync } from 'node:fs';

export interface ProcStat { state: string; ppid: number; pgrp: number; startTime: number }

export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], ppid: Number(fields[1]), pgrp: Number(fields[2]), startTime: Number(fields[19]) };
}

/** The process is still the one we started (same start time) and has not exited (zombies count as exited). */
export function isSameLiveProcess(pid: number, startTime: number): boolean {
  const s = readProcStat(pid);
  return s !== undefined && s.startTime === startTime && s.state !== 'Z' && s.state !== 'X';
}

/** Any process still in process group `pgid` (scans /proc; used to confirm a group is gone). */
export function groupHasMembers(pgid: number, pids: () => string[]): boolean {
  for (const p of pids()) {
    if (!/^\d+$/.test(p)) continue;
    const s = readProcStat(Number(p));
    if (s && s.pgrp === pgid && s.state !== 'Z') return true;
  }
  return false;
}
