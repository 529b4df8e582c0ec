// One cgroup per container instance, so that everything a container starts ends with it — also a process that
// setsid()s or double-forks out of its process group (issue 14.5). The wrapper writes its own pid into the cgroup
// before it does anything else, so every descendant is born inside; a kill of the cgroup reaches them all.
//
//   <cgroupfs>/podling/<node>-<hash of root dir>/pod-<uid>/<container>.<index>
//
// The layout follows from the agent's root dir alone, so a restarted agent (even after kill -9) finds the cgroups
// of the pods it adopts and of those deleted while it was away. Like a CRI runtime's, the cgroup is per container
// instance (a restarted container gets a fresh one) under one per pod; issue 19 sets resource limits on these same
// directories.
//
// Which hierarchy:
// - cgroup v2 (the unified mount: /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host): killed through
//   `cgroup.kill` (Linux 5.14+), which the kernel makes atomic against forks;
// - cgroup v1 only: the `pids` hierarchy (membership is all that is needed; without a limit it costs nothing),
//   killed by SIGKILLing cgroup.procs until it is empty — a process being killed cannot fork, so each round shrinks;
// - none (the agent is not root, or no cgroupfs is writable): `available` is false with the reason. The runtime then
//   ends the container's process group and what descendant-tracker.ts recorded (with its gap, said in the README).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export type CgroupMode =
  | { kind: 'v2' | 'v1'; /** the agent's parent cgroup directory */ dir: string; /** its cgroupfs mount point */ mount: string }
  | { kind: 'none'; reason: string };

/** How long removal waits for killed processes to be reaped before giving up (they are SIGKILLed: moments). */
const EMPTY_WAIT_MS = 5000;
const EMPTY_POLL_MS = 10;
const V1_KILL_ROUNDS = 100;

export class ContainerCgroups {
  private constructor(readonly mode: CgroupMode) {}

  /** Finds a cgroup hierarchy this agent can manage and makes its parent directory; never throws. */
  static detect(rootDir: string, nodeName: string, mountinfo = '/proc/self/mountinfo'): ContainerCgroups {
    if (process.getuid?.() !== 0) return new ContainerCgroups({ kind: 'none', reason: 'the agent does not run as root' });
    const mounts = cgroupMounts(mountinfo);
    const agent = `${nodeName}-${createHash('sha256').update(path.resolve(rootDir)).digest('hex').slice(0, 12)}`;
    const problems: string[] = [];
    for (const [kind, mount] of [['v2', mounts.v2], ['v1', mounts.v1pids]] as const) {
      if (!mount) continue;
      const dir = path.join(mount, 'podling', agent);
      try {
        mkdirSync(dir, { recursive: true });
        return new ContainerCgroups({ kind, dir, mount });
      } catch (err) {
        problems.push(`${dir}: ${(err as Error).message}`);
      }
    }
    if (!mounts.v2 && !mounts.v1pids) problems.push('no cgroup2 mount and no cgroup v1 pids hierarchy');
    return new ContainerCgroups({ kind: 'none', reason: problems.join('; ') });
  }

  /** A manager for an already known directory (tests). */
  static at(mode: CgroupMode): ContainerCgroups { return new ContainerCgroups(mode); }

  get available(): boolean { return this.mode.kind !== 'none'; }

  /**
   * Creates the instance's cgroup and returns the `cgroup.procs` file its wrapper joins, or undefined without
   * cgroups. A leftover cgroup of the same name (an instance that could not be removed) is killed first.
   */
  create(uid: string, container: string, index: number): string | undefined {
    const dir = this.instanceDir(uid, container, index);
    if (!dir) return undefined;
    if (existsSync(dir)) killDir(this.mode.kind, dir);
    mkdirSync(dir, { recursive: true });
    return path.join(dir, 'cgroup.procs');
  }

  /** SIGKILLs every process of the instance. */
  kill(uid: string, container: string, index: number): void {
    const dir = this.instanceDir(uid, container, index);
    if (dir && existsSync(dir)) killDir(this.mode.kind, dir);
  }

  /** Kills the instance's processes and removes its cgroup once they are gone. */
  async remove(uid: string, container: string, index: number): Promise<void> {
    const dir = this.instanceDir(uid, container, index);
    if (dir) await removeDir(this.mode.kind, dir);
  }

  /** Kills every process of the pod and removes its cgroups. */
  async removePod(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    if (!dir || !existsSync(dir)) return;
    const children = subdirs(dir);
    for (const c of children) killDir(this.mode.kind, path.join(dir, c));
    await Promise.all(children.map((c) => removeDir(this.mode.kind, path.join(dir, c))));
    rmdirQuietly(dir);
  }

  /** Removes the agent's own cgroup directory if no pod is left in it (agent shutdown). */
  release(): void {
    if (this.mode.kind !== 'none') rmdirQuietly(this.mode.dir);
  }

  /** Kills every pod's processes and removes every cgroup of this agent (a test's or a node's teardown). */
  async removeAll(): Promise<void> {
    await Promise.all(this.pods().map((uid) => this.removePod(uid)));
    this.release();
  }

  /** Pod uids that have a cgroup here (for the agent's start-up sweep). */
  pods(): string[] {
    if (this.mode.kind === 'none') return [];
    return subdirs(this.mode.dir).filter((d) => d.startsWith('pod-')).map((d) => d.slice(4));
  }

  /** Pids in the instance's cgroup (empty without one). */
  procs(uid: string, container: string, index: number): number[] {
    const dir = this.instanceDir(uid, container, index);
    return dir ? readProcs(dir) : [];
  }

  podDir(uid: string): string | undefined {
    return this.mode.kind === 'none' ? undefined : path.join(this.mode.dir, `pod-${uid}`);
  }

  instanceDir(uid: string, container: string, index: number): string | undefined {
    const pod = this.podDir(uid);
    return pod && path.join(pod, `${container}.${index}`);
  }
}

function killDir(kind: 'v1' | 'v2' | 'none', dir: string): void {
  if (kind === 'v2' && existsSync(path.join(dir, 'cgroup.kill'))) {
    try { writeFileSync(path.join(dir, 'cgroup.kill'), '1'); return; } catch { /* fall back to the loop */ }
  }
  for (let round = 0; round < V1_KILL_ROUNDS; round++) {
    const pids = readProcs(dir);
    if (pids.length === 0) return;
    for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }
}

async function removeDir(kind: 'v1' | 'v2' | 'none', dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  killDir(kind, dir);
  const until = Date.now() + EMPTY_WAIT_MS;
  // Killed processes leave cgroup.procs once reaped; rmdir fails with EBUSY until then.
  while (!rmdirQuietly(dir) && existsSync(dir) && Date.now() < until) {
    if (readProcs(dir).length > 0) killDir(kind, dir);
    await new Promise((r) => setTimeout(r, EMPTY_POLL_MS));
  }
}

function rmdirQuietly(dir: string): boolean {
  try { rmdirSync(dir); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'ENOENT'; }
}

function readProcs(dir: string): number[] {
  try {
    return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter((l) => l !== '').map(Number);
  } catch {
    return [];
  }
}

function subdirs(dir: string): string[] {
  try { return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name); } catch { return []; }
}

/** The cgroup2 mount and the cgroup v1 `pids` hierarchy's mount, from mountinfo. */
function cgroupMounts(mountinfo: string): { v2?: string; v1pids?: string } {
  const out: { v2?: string; v1pids?: string } = {};
  let text = '';
  try { text = readFileSync(mountinfo, 'utf8'); } catch { return out; }
  for (const line of text.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!post) continue;
    const mountPoint = pre.split(' ')[4];
    const [fstype, , superOpts = ''] = post.split(' ');
    if (fstype === 'cgroup2') out.v2 ??= mountPoint;
    else if (fstype === 'cgroup' && superOpts.split(',').includes('pids')) out.v1pids ??= mountPoint;
  }
  return out;
}
