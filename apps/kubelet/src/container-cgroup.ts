// One cgroup per pod, with one per container instance inside, so that everything a container starts ends with it —
// also a process that setsid()s or double-forks out of its process group (issue 14.5) — and so that its
// resources.limits hold (issue 19; cgroup-limits.ts). The wrapper writes its own pid into the instance's cgroup of
// every hierarchy before it does anything else, so every descendant is born inside.
//
//   <mount>/podling/<node>-<hash of root dir>/pod-<uid>/<container>.<index>     (in each hierarchy used)
//
// The layout follows from the agent's root dir alone, so a restarted agent (even after kill -9) finds the cgroups
// of the pods it adopts and of those deleted while it was away. Like a CRI runtime's, the cgroup is per container
// instance (a restarted container gets a fresh one). Which hierarchies: cgroup-hierarchies.ts. Without any
// (`available` false, with the reason) the runtime ends the container's process group and what
// descendant-tracker.ts recorded (with its gap, said in the README).
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { cgroupDir } from './cgroup-dir.ts';
import { detectHierarchies, enableSubtree, type CgroupHierarchies, type CgroupMode, type Hierarchy } from './cgroup-hierarchies.ts';
import { releaseMemory, writeCpuLimits, writeMemoryLimit, type ResourceLimits } from './cgroup-limits.ts';

export type { CgroupMode } from './cgroup-hierarchies.ts';

export class ContainerCgroups {
  private constructor(private readonly h: CgroupHierarchies) {}

  /** Finds the cgroup hierarchies this agent can manage and makes its directories; never throws. */
  static detect(rootDir: string, nodeName: string, mountinfo = '/proc/self/mountinfo'): ContainerCgroups {
    return new ContainerCgroups(detectHierarchies(rootDir, nodeName, mountinfo));
  }

  /** A manager for an already known membership hierarchy, without limit controllers (tests, --cgroups=false). */
  static at(mode: CgroupMode): ContainerCgroups {
    const reason = mode.kind === 'none' ? mode.reason : 'not detected';
    return new ContainerCgroups({ mode, missing: { memory: reason, cpu: reason } });
  }

  /** The memory or cpu hierarchy, when this node has it. */
  controller(c: 'memory' | 'cpu'): Hierarchy | undefined { return this.h[c]; }

  /** The membership hierarchy: where instances are tracked and killed. */
  get mode(): CgroupMode { return this.h.mode; }
  get available(): boolean { return this.h.mode.kind !== 'none'; }
  /** Why limits.memory / limits.cpu and requests.cpu cannot be enforced here, when they cannot. */
  get missing(): { memory?: string; cpu?: string } { return this.h.missing; }

  /** Every hierarchy in use, membership first. */
  private hierarchies(): Hierarchy[] {
    const all = [this.h.mode, this.h.memory, this.h.cpu].filter((x): x is Hierarchy => x !== undefined && x.kind !== 'none');
    return all.filter((x, i) => all.findIndex((y) => y.dir === x.dir) === i);
  }

  /** The mounts to make read-only in a container's mount namespace, so it cannot move itself out. */
  mounts(): string[] {
    return [...new Set(this.hierarchies().map((x) => x.mount))];
  }

  /** Makes the pod's cgroup in every hierarchy and sets the pod-level limits (again, harmlessly, on adoption). */
  createPod(uid: string, limits: ResourceLimits): void {
    for (const x of this.hierarchies()) {
      const dir = path.join(x.dir, `pod-${uid}`);
      mkdirSync(dir, { recursive: true });
      this.applyLimits(x, dir, limits);
      if (x.kind === 'v2') enableSubtree(dir, this.v2Controllers(x));
    }
  }

  /**
   * Creates the instance's cgroups with its limits and returns the `cgroup.procs` files its wrapper joins (none
   * without cgroups). A leftover cgroup of the same name (an instance that could not be removed) is killed first.
   */
  create(uid: string, container: string, index: number, limits: ResourceLimits): string[] {
    const out: string[] = [];
    for (const x of this.hierarchies()) {
      const dir = path.join(x.dir, `pod-${uid}`, `${container}.${index}`);
      if (existsSync(dir)) cgroupDir.kill(dir);
      mkdirSync(dir, { recursive: true });
      this.applyLimits(x, dir, limits);
      out.push(path.join(dir, 'cgroup.procs'));
    }
    return out;
  }

  /** True when the kernel's OOM killer killed a process of the instance (memory.events / memory.oom_control). */
  oomKilled(uid: string, container: string, index: number): boolean {
    const m = this.h.memory;
    if (!m) return false;
    const dir = path.join(m.dir, `pod-${uid}`, `${container}.${index}`);
    try {
      const text = readFileSync(path.join(dir, m.kind === 'v2' ? 'memory.events' : 'memory.oom_control'), 'utf8');
      return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0) > 0;
    } catch {
      return false;
    }
  }

  /** SIGKILLs every process of the instance. */
  kill(uid: string, container: string, index: number): void {
    const dir = this.instanceDir(uid, container, index);
    if (dir && existsSync(dir)) cgroupDir.kill(dir);
  }

  /** Kills the instance's processes and removes its cgroups once they are gone. */
  async remove(uid: string, container: string, index: number): Promise<void> {
    await Promise.all(this.hierarchies().map((x) => this.removeDir(x, path.join(x.dir, `pod-${uid}`, `${container}.${index}`))));
  }

  /** Kills every process of the pod (the whole subtree at once where cgroup.kill exists) and removes its cgroups. */
  async removePod(uid: string): Promise<void> {
    // Listing a cgroup directory is costly (kernfs lists every control file): once per pod directory. Nothing new
    // is created in them any more: the pod's worker has stopped starting containers.
    const dirs = this.hierarchies().map((x) => ({ x, d: path.join(x.dir, `pod-${uid}`) })).filter(({ d }) => existsSync(d))
      .map(({ x, d }) => ({ x, d, instances: cgroupDir.subdirs(d).map((c) => path.join(d, c)) }));
    for (const { d, instances } of dirs) {
      if (!cgroupDir.kill(d)) for (const c of instances) cgroupDir.kill(c);
    }
    await Promise.all(dirs.flatMap(({ x, instances }) => instances.map((c) => this.removeDir(x, c))));
    for (const { d } of dirs) cgroupDir.rmdir(d);
  }

  /** Removes the agent's own cgroup directories if no pod is left in them (agent shutdown), and the shared
   *  `podling` directory above them once no other agent's is left in it. */
  release(): void {
    for (const x of this.hierarchies()) {
      if (cgroupDir.rmdir(x.dir)) cgroupDir.rmdir(path.dirname(x.dir));
    }
  }

  /** Kills every pod's processes and removes every cgroup of this agent (a test's or a node's teardown). */
  async removeAll(): Promise<void> {
    await Promise.all(this.pods().map((uid) => this.removePod(uid)));
    this.release();
  }

  /** Pod uids that have a cgroup here in any hierarchy (for the agent's start-up sweep). */
  pods(): string[] {
    const uids = this.hierarchies().flatMap((x) => cgroupDir.subdirs(x.dir)).filter((d) => d.startsWith('pod-')).map((d) => d.slice(4));
    return [...new Set(uids)];
  }

  /** Pids in the instance's cgroup (empty without one). */
  /** The `cgroup.procs` files of an existing instance, in every hierarchy: what a process joins to count as the
   * container's (kubectl exec, exec probes and hooks, as runc exec joins the container's cgroups). */
  instanceProcsFiles(uid: string, container: string, index: number): string[] {
    return this.hierarchies().map((x) => path.join(x.dir, `pod-${uid}`, `${container}.${index}`, 'cgroup.procs')).filter((f) => existsSync(f));
  }

  procs(uid: string, container: string, index: number): number[] {
    const dir = this.instanceDir(uid, container, index);
    return dir ? cgroupDir.procs(dir) : [];
  }

  /** The pod's cgroup in the membership hierarchy, or in the given controller's. */
  podDir(uid: string, controller?: 'memory' | 'cpu'): string | undefined {
    const x = controller ? this.h[controller] : this.h.mode;
    return x && x.kind !== 'none' ? path.join(x.dir, `pod-${uid}`) : undefined;
  }

  /** The instance's cgroup in the membership hierarchy, or in the given controller's. */
  instanceDir(uid: string, container: string, index: number, controller?: 'memory' | 'cpu'): string | undefined {
    const pod = this.podDir(uid, controller);
    return pod && path.join(pod, `${container}.${index}`);
  }

  /** Removes an instance's cgroup; in the memory controller's hierarchy its page cache is given back first. */
  private removeDir(x: Hierarchy, dir: string): Promise<void> {
    return cgroupDir.remove(dir, x === this.h.memory ? (d) => releaseMemory(x.kind, d) : undefined);
  }

  private v2Controllers(x: Hierarchy): string[] {
    return (['memory', 'cpu'] as const).filter((c) => this.h[c] === x);
  }

  private applyLimits(x: Hierarchy, dir: string, l: ResourceLimits): void {
    if (this.h.memory === x) writeMemoryLimit(x.kind, dir, l.memoryBytes);
    if (this.h.cpu === x) writeCpuLimits(x.kind, dir, l);
  }
}
