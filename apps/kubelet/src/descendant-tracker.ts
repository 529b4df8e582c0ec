// The fallback of issue 14.5 where the node has no cgroups (the agent is not root, or no cgroupfs is writable):
// every descendant of a container's wrapper is recorded as {pid, start time} by a periodic /proc scan, and stays
// recorded after it setsid()s, double-forks and is reparented to init. The records live in the instance's record
// (pod-record.ts), persisted with the pod's state, so a restarted agent still knows them. Killing an instance
// SIGKILLs every recorded process whose pid and start time still match (a reused pid is left alone), plus the
// current descendant tree.
//
// Not guaranteed: a process that is born and escapes (reparents away from the tree) between two scans is never
// seen, and so is not killed. Cgroups (container-cgroup.ts) have no such gap.
import { readdirSync } from 'node:fs';
import { readProcStat, isSameLiveProcess } from './proc-stat.ts';
import type { InstanceRecord } from './pod-record.ts';

export interface TrackedProcess { pid: number; start: number }

/** One scan per period for all tracked instances: cheap enough to run every half second. */
const SCAN_MS = 500;

interface Tracked { inst: InstanceRecord; changed: () => void }

export class DescendantTracker {
  private readonly tracked = new Set<Tracked>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly periodMs = SCAN_MS) {}

  /** Records `inst`'s descendants into `inst.descendants` until untracked; `changed` persists the record. */
  track(inst: InstanceRecord, changed: () => void): () => void {
    const t = { inst, changed };
    this.tracked.add(t);
    this.timer ??= setInterval(() => this.scan(), this.periodMs).unref();
    this.scan();
    return () => {
      this.tracked.delete(t);
      if (this.tracked.size === 0 && this.timer) { clearInterval(this.timer); this.timer = undefined; }
    };
  }

  /** One pass over /proc, adding every new descendant of every tracked instance. */
  scan(): void {
    if (this.tracked.size === 0) return;
    const children = childrenByParent();
    for (const t of this.tracked) {
      const known = new Map((t.inst.descendants ?? []).map((p) => [p.pid, p]));
      let added = false;
      for (const p of tree(t.inst, children)) {
        if (known.get(p.pid)?.start === p.start) continue;
        known.set(p.pid, p);
        added = true;
      }
      if (!added) continue;
      t.inst.descendants = [...known.values()];
      t.changed();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.tracked.clear();
  }

  /** SIGKILLs what `inst` is known to have started: the recorded processes still alive, and its current tree. */
  static kill(inst: InstanceRecord): void {
    const targets = [...(inst.descendants ?? []), ...tree(inst, childrenByParent())];
    for (const p of targets) {
      if (!isSameLiveProcess(p.pid, p.start)) continue;
      try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
    }
  }
}

/** Live descendants of the wrapper and of every recorded process (their children born after the escape). */
function tree(inst: InstanceRecord, children: Map<number, TrackedProcess[]>): TrackedProcess[] {
  const roots = [{ pid: inst.pid, start: inst.procStart }, ...(inst.descendants ?? [])].filter((p) => isSameLiveProcess(p.pid, p.start));
  const out: TrackedProcess[] = [];
  const seen = new Set<number>(roots.map((r) => r.pid));
  const queue = [...roots];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift()!.pid) ?? []) {
      if (seen.has(c.pid)) continue;
      seen.add(c.pid);
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function childrenByParent(): Map<number, TrackedProcess[]> {
  const m = new Map<number, TrackedProcess[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readProcStat(Number(name));
    if (!s || s.state === 'Z') continue;
    const list = m.get(s.ppid) ?? [];
    list.push({ pid: Number(name), start: s.startTime });
    m.set(s.ppid, list);
  }
  return m;
}
