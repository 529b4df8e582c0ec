// Which cgroup hierarchies this agent uses, found once at start from /proc/self/mountinfo. Each gets the agent's
// own directory `<mount>/podling/<node>-<hash of the root dir>`, so a restarted agent finds its pods' cgroups.
//
// - Membership (where an instance is tracked and killed): the cgroup2 mount (/sys/fs/cgroup, or
//   /sys/fs/cgroup/unified on a hybrid host), which needs no controller for `cgroup.kill`; else the v1 `pids`
//   hierarchy.
// - Limits: the memory and cpu controllers of cgroup v2 when its mount has them (they are then enabled down the
//   tree through cgroup.subtree_control); else the v1 `memory` and `cpu` hierarchies. A hybrid host whose v2 mount
//   has no controllers delegated (they are bound to v1) uses v2 for membership and v1 for limits.
// What is missing is said, with the reason, in `gaps` (the pod's event and condition; pod-cgroup-gaps.ts).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Hierarchy { kind: 'v1' | 'v2'; /** the agent's directory */ dir: string; /** the cgroupfs mount */ mount: string }

export type CgroupMode = Hierarchy | { kind: 'none'; reason: string };

export interface CgroupHierarchies {
  mode: CgroupMode;
  memory?: Hierarchy;
  cpu?: Hierarchy;
  /** Why a controller is missing, by controller. */
  missing: { memory?: string; cpu?: string };
}

const LIMIT_CONTROLLERS = ['memory', 'cpu'] as const;

export function detectHierarchies(rootDir: string, nodeName: string, mountinfo = '/proc/self/mountinfo'): CgroupHierarchies {
  if (process.getuid?.() !== 0) {
    const reason = 'the agent does not run as root';
    return { mode: { kind: 'none', reason }, missing: { memory: reason, cpu: reason } };
  }
  const mounts = cgroupMounts(mountinfo);
  const agent = path.join('podling', `${nodeName}-${createHash('sha256').update(path.resolve(rootDir)).digest('hex').slice(0, 12)}`);
  const problems: string[] = [];
  const make = (kind: 'v1' | 'v2', mount: string | undefined): Hierarchy | undefined => {
    if (!mount) return undefined;
    const dir = path.join(mount, agent);
    try {
      mkdirSync(dir, { recursive: true });
      return { kind, dir, mount };
    } catch (err) {
      problems.push(`${dir}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const mode: CgroupMode = make('v2', mounts.v2) ?? make('v1', mounts.v1.get('pids'))
    ?? { kind: 'none', reason: problems.join('; ') || 'no cgroup2 mount and no cgroup v1 pids hierarchy' };
  const out: CgroupHierarchies = { mode, missing: {} };
  const v2 = mounts.v2 && mode.kind === 'v2' ? enableV2(mode) : [];
  for (const c of LIMIT_CONTROLLERS) {
    const h = v2.includes(c) && mode.kind === 'v2' ? mode : make('v1', mounts.v1.get(c));
    if (h) out[c] = h;
    else out.missing[c] = mode.kind === 'none' ? mode.reason : problems.at(-1) ?? `no cgroup ${c} controller (neither in cgroup v2 nor as a v1 hierarchy)`;
  }
  return out;
}

/** Enables memory and cpu from the v2 root down to the agent's directory; returns those that are now enabled. */
function enableV2(h: Hierarchy): string[] {
  let available: string[];
  try { available = readFileSync(path.join(h.mount, 'cgroup.controllers'), 'utf8').trim().split(/\s+/); } catch { return []; }
  const wanted = LIMIT_CONTROLLERS.filter((c) => available.includes(c));
  if (wanted.length === 0) return [];
  try {
    for (const dir of [h.mount, path.dirname(h.dir), h.dir]) enableSubtree(dir, wanted);
    return wanted;
  } catch {
    return [];
  }
}

export function enableSubtree(dir: string, controllers: readonly string[]): void {
  if (controllers.length > 0) writeFileSync(path.join(dir, 'cgroup.subtree_control'), controllers.map((c) => `+${c}`).join(' '));
}

/** The cgroup2 mount, and each v1 hierarchy's mount by controller, from mountinfo. */
function cgroupMounts(mountinfo: string): { v2?: string; v1: Map<string, string> } {
  const out: { v2?: string; v1: Map<string, string> } = { v1: new Map() };
  let text = '';
  try { text = readFileSync(mountinfo, 'utf8'); } catch { return out; }
  for (const line of text.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!post) continue;
    const mountPoint = pre.split(' ')[4];
    const [fstype, , superOpts = ''] = post.split(' ');
    if (fstype === 'cgroup2') out.v2 ??= mountPoint;
    else if (fstype === 'cgroup') for (const o of superOpts.split(',')) if (!out.v1.has(o)) out.v1.set(o, mountPoint);
  }
  return out;
}
