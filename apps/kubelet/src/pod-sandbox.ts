// A pod's footprint on this node: its directories and emptyDir volumes, each container's FIFOs and log pump, and
// the container instances it launches or adopts, each in a cgroup of its own when the node has them
// (container-cgroup.ts), and its network + IPC namespaces (pod-sandbox-network.ts), made before any container and
// removed after the last. The worker decides *what* runs; the sandbox knows *where*.
import { chmodSync, rmSync } from 'node:fs';
import type { Pod } from '@podling/api';
import { LogPump } from './log-pump.ts';
import type { ExitHandler, Launch, ProcessRuntime } from './process-runtime.ts';
import { isRunning, type InstanceRecord, type PodRecord } from './pod-record.ts';
import type { PodPaths } from './pod-paths.ts';
import type { ContainerCgroups } from './container-cgroup.ts';
import { DescendantTracker } from './descendant-tracker.ts';
import { PodSandboxNetwork, type NetworkDeps } from './pod-sandbox-network.ts';
import { containerLimits, podLimits, type ResourceLimits } from './cgroup-limits.ts';
import { cgroupGaps } from './pod-cgroup-gaps.ts';
import type { InstanceExit, WorkerSandbox } from './container-runtime.ts';

/** The no-cgroup fallback: the node's tracker, and how to persist the record its scans add to. */
export interface Tracking { tracker: DescendantTracker; persist: () => void }

export class PodSandbox implements WorkerSandbox {
  private readonly pumps = new Map<string, LogPump>();
  /** Without cgroups: the tracked instances, by `<container>.<index>`, with their untrack function. */
  private readonly tracked = new Map<string, { inst: InstanceRecord; untrack: () => void }>();
  /** Each container's cgroup limits (resources cannot change while the pod lives). */
  private readonly limits = new Map<string, ResourceLimits>();
  /** What the pod lacks for want of cgroups (pod-cgroup-gaps.ts); empty when it has everything. */
  gaps: string[] = [];

  readonly network: PodSandboxNetwork;

  constructor(readonly paths: PodPaths, private readonly runtime: ProcessRuntime, private readonly logMaxBytes: number,
    private readonly cgroups: ContainerCgroups, private readonly uid: string, network: NetworkDeps, private readonly tracking?: Tracking) {
    this.network = new PodSandboxNetwork(uid, paths, network);
  }

  /**
   * Creates directories, volumes and FIFOs, then starts reading every container's output and follows the
   * instances `record` says are running: still ours → adopted; gone → their exit is reported at once.
   */
  async prepare(pod: Pod, record: PodRecord, onExit: InstanceExit, killedWith: (c: string) => number | undefined): Promise<void> {
    const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    const names = all.map((c) => c.name);
    const withStdin = all.filter((c) => c.stdin || c.tty).map((c) => this.paths.fifo(c.name, 'stdin'));
    const shared = [this.paths.workDir, ...(pod.spec.volumes ?? []).filter((v) => v.emptyDir).map((v) => this.paths.emptyDir(v.name))];
    await this.runtime.makePaths({
      dirs: shared,
      fifos: [...names.flatMap((n) => [this.paths.fifo(n, 'stdout'), this.paths.fifo(n, 'stderr')]), ...withStdin],
    });
    // Writable by every user the pod's containers run as (runAsUser, a user namespace's ids), as the kubelet makes
    // emptyDir volumes (0777).
    for (const d of shared) chmodSync(d, 0o777);
    this.gaps = cgroupGaps(this.cgroups, pod);
    try {
      for (const c of all) this.limits.set(c.name, containerLimits(c));
      this.cgroups.createPod(this.uid, podLimits(pod));
    } catch (err) {
      this.gaps.push(`its cgroup limits (${(err as Error).message})`);
    }
    for (const n of names) {
      const pump = new LogPump({ stdoutFifo: this.paths.fifo(n, 'stdout'), stderrFifo: this.paths.fifo(n, 'stderr'), maxFileBytes: this.logMaxBytes });
      pump.open();
      this.pumps.set(n, pump);
    }
    for (const rec of Object.values(record.containers)) {
      const cur = rec.current;
      if (!isRunning(cur) || !this.pumps.has(rec.name)) continue;
      this.pumps.get(rec.name)!.beginInstance(this.paths.log(rec.name, cur.index));
      this.runtime.adopt(cur.pid, cur.procStart, this.paths.exitFile(rec.name, cur.index),
        this.endsWith(rec.name, cur.index, onExit), () => killedWith(rec.name));
      this.track(rec.name, cur);
    }
  }

  /** Starts instance `index`; a wrapper that cannot even be spawned yields a finished StartError instance. */
  async launch(container: string, index: number, launch: Launch, onExit: InstanceExit, killedWith: () => number | undefined): Promise<InstanceRecord> {
    const pump = this.pumps.get(container)!;
    try {
      pump.beginInstance(this.paths.log(container, index));
      const cgroupProcs = this.cgroups.create(this.uid, container, index, this.limits.get(container) ?? { cpuShares: 2 });
      const cgroupMounts = launch.namespaces ? this.cgroups.mounts() : [];
      const s = await this.runtime.start({ ...launch, cgroupProcs, cgroupMounts }, this.endsWith(container, index, onExit), killedWith);
      const inst: InstanceRecord = { index, pid: s.pid, procStart: s.procStart, startedAt: s.startedAt.toISOString() };
      this.track(container, inst);
      return inst;
    } catch (err) {
      pump.endInstance();
      const now = new Date().toISOString();
      return { index, pid: 0, procStart: 0, startedAt: now, finishedAt: now, exitCode: 128, reason: 'StartError', message: (err as Error).message };
    }
  }

  /** The cgroup.procs files of a running instance (none without cgroups). */
  instanceCgroups(container: string, index: number): string[] {
    return this.cgroups.instanceProcsFiles(this.uid, container, index);
  }

  /** SIGKILLs everything instance `index` of `container` started (its cgroup; a no-op without cgroups). */
  killInstance(container: string, index: number): void {
    this.cgroups.kill(this.uid, container, index);
    const t = this.tracked.get(`${container}.${index}`);
    if (t) DescendantTracker.kill(t.inst);
  }

  /** Without cgroups, records the instance's descendants from now on (descendant-tracker.ts). */
  private track(container: string, inst: InstanceRecord): void {
    if (this.cgroups.available || !this.tracking) return;
    this.tracked.set(`${container}.${inst.index}`, { inst, untrack: this.tracking.tracker.track(inst, this.tracking.persist) });
  }

  private untrack(key: string, kill: boolean): void {
    const t = this.tracked.get(key);
    if (!t) return;
    if (kill) DescendantTracker.kill(t.inst);
    t.untrack();
    this.tracked.delete(key);
  }

  /**
   * An instance ends with everything it started: its cgroup is killed and removed before its exit is reported. One
   * the kernel OOM-killed in is reported OOMKilled, as a CRI runtime does, with the exit code it had (137 by SIGKILL).
   */
  private endsWith(container: string, index: number, onExit: InstanceExit): ExitHandler {
    return (info) => {
      const oom = info.reason !== 'StartError' && this.cgroups.oomKilled(this.uid, container, index);
      this.cgroups.kill(this.uid, container, index);
      void this.cgroups.remove(this.uid, container, index);
      this.untrack(`${container}.${index}`, true);
      onExit(container, index, oom ? { ...info, reason: 'OOMKilled' } : info);
    };
  }

  /** See LogPump.watchRotation; a no-op once the pod's logs are no longer written. */
  watchRotation(container: string, logPath: string, fresh: () => void): () => void {
    return this.pumps.get(container)?.watchRotation(logPath, fresh) ?? (() => {});
  }

  endInstance(container: string): void {
    this.pumps.get(container)?.endInstance();
  }

  /** Keeps the logs of the current and the previous instance only. */
  removeLogsBefore(container: string, index: number): void {
    for (let i = index - 1; i >= Math.max(0, index - 3); i--) {
      for (const p of [this.paths.log(container, i), `${this.paths.log(container, i)}.1`, this.paths.exitFile(container, i)]) rmSync(p, { force: true });
    }
  }

  /** Stops reading output; the processes keep running (their FIFO writes block once the pipe is full). */
  detach(): void {
    for (const p of this.pumps.values()) p.close();
    this.pumps.clear();
    for (const key of [...this.tracked.keys()]) this.untrack(key, false);
  }

  /** The pod is done here: stops its pumps, kills whatever is left in its cgroups and removes them, then its
   *  network and IPC namespaces (nothing of the pod is left to hold them). */
  async close(): Promise<void> {
    for (const key of [...this.tracked.keys()]) this.untrack(key, true);
    this.detach();
    await this.cgroups.removePod(this.uid);
    await this.network.tearDown();
  }
}
