// Starts container instances as process groups (see container-wrapper.ts), signals whole groups, and reports each
// instance's end.
//
// The agent never forks a wrapper itself: spawn() blocks the event loop for ~1 ms plus ~33 ms per GB of the parent's
// RSS, so a burst of pods would stall everything else the agent does. A namespaced container's wrapper is forked by
// the agent's podling-nsexec --serve (nsexec-server.ts), which runs its namespace steps in the fork and reports its
// exit; the others by a small dedicated Node process (spawner.mjs, via spawner-client.ts). Processes the agent adopted after a restart, and
// those whose spawner died, are nobody's child we hear from: their end is found by polling /proc, and the exit code
// is read from the wrapper's exit file either way.
import { readFileSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { liveWrappers, wrapperArgv, WRAPPER_ENV, parseExitFile, type BindMount, type WrapperArgs } from './container-wrapper.ts';
import { NSEXEC } from './nsexec.ts';
import { NETNS_DIR } from './sandbox-names.ts';
import type { Logger } from './logger.ts';
import type { NsexecServer } from './nsexec-server.ts';
import { groupHasMembers, isSameLiveProcess, readProcStat } from './proc-stat.ts';
import { SpawnerClient, SpawnerGoneError, type ChildHandlers, type PathsRequest, type Ran, type RunOptions, type Spawned } from './spawner-client.ts';

export interface Launch extends WrapperArgs {
  /** uid and gid the command runs as (inside its user namespace, if any), or undefined for the agent's own. */
  runAs?: { uid: number; gid: number };
  /** Run inside new UTS and mount namespaces (needs root and podling-nsexec). */
  namespaces: boolean;
  /** The pod's network and IPC namespaces, joined first (with `namespaces` only). */
  sandbox?: SandboxNamespaces;
  /** Files of the pod bind-mounted over the host's in the container's mount namespace (its /etc/hosts). */
  podFiles?: BindMount[];
}

/** Bind-mounted namespace files of a pod sandbox (pod-network.ts). */
export interface SandboxNamespaces { netns: string; ipc?: string }

export interface Started { pid: number; procStart: number; startedAt: Date }

export interface ExitInfo { exitCode: number; signal?: number; reason?: string; message?: string; finishedAt: Date }

export type ExitHandler = (info: ExitInfo) => void;

/** The signal the agent last sent to an instance, if any (decides the exit code when no exit file was written). */
export type KilledWith = () => number | undefined;

interface PathBatch extends PathsRequest { done: Promise<void> }

/** How often adopted processes are checked for exit. */
const ADOPTED_POLL_MS = 200;

export class ProcessRuntime {
  private readonly polls = new Map<number, NodeJS.Timeout>();
  private readonly spawner: SpawnerClient;
  private pathBatch: PathBatch | undefined;

  /** `helper`: the agent's podling-nsexec --serve, which starts namespaced containers' wrappers and keeps the
   *  pin-free mount namespace they make theirs from (nsexec-server.ts); without it the spawner starts them all. */
  constructor(log?: Logger, private readonly helper?: NsexecServer) {
    this.spawner = new SpawnerClient(log);
  }

  /**
   * Creates the directories and FIFOs that do not exist yet, in the spawner (inode creation is slow
   * work that would otherwise queue in this process's thread pool; Node has no mkfifo). Requests made in the same
   * turn of the event loop share one round trip and one mkfifo exec: a burst of new pods costs a handful.
   */
  makePaths(p: Partial<PathsRequest>): Promise<void> {
    if (!this.pathBatch) {
      const b: PathBatch = { dirs: [], fifos: [], done: Promise.resolve() };
      b.done = new Promise<void>((r) => setImmediate(r)).then(async () => {
        this.pathBatch = undefined;
        const res = await this.spawner.makePaths({ dirs: b.dirs, fifos: b.fifos });
        if (res.code !== 0) throw new Error(`mkfifo: ${res.stderr.trim() || `exit code ${res.code}`}`);
      });
      this.pathBatch = b;
    }
    const b = this.pathBatch;
    b.dirs.push(...(p.dirs ?? []));
    b.fifos.push(...(p.fifos ?? []));
    return b.done;
  }

  /** Runs a short command to completion through the spawner (exec probes and hooks; see SpawnerClient.run). */
  run(file: string, argv: string[], env: Record<string, string>, o: RunOptions): Promise<Ran> {
    return this.spawner.run(file, argv, env, o);
  }

  /** Starts the spawner process ahead of the first container. */
  warmUp(): void {
    this.spawner.warmUp();
  }

  /** Starts one instance. Rejects (with the OS message) when even the wrapper cannot be started. */
  start(launch: Launch, onExit: ExitHandler, killedWith: KilledWith = () => undefined): Promise<Started> {
    return this.spawnInstance(launch, onExit, killedWith, false);
  }

  /**
   * Follows an instance this agent did not start (found in state.json after a restart). `killedWith` is the
   * signal the agent last sent, used when the wrapper died before recording an exit code.
   */
  adopt(pid: number, procStart: number, exitFile: string, onExit: ExitHandler, killedWith: KilledWith): void {
    const check = () => {
      if (isSameLiveProcess(pid, procStart)) return;
      clearInterval(timer);
      this.polls.delete(pid);
      const sig = killedWith();
      const fallback = sig !== undefined
        ? { exitCode: 128 + sig, signal: sig }
        : { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container exited while the agent was not watching it and left no exit code' };
      this.finish(pid, procStart, exitFile, onExit, fallback);
    };
    const timer = setInterval(check, ADOPTED_POLL_MS);
    timer.unref();
    this.polls.set(pid, timer);
    check();
  }

  isAlive(pid: number, procStart: number): boolean {
    return isSameLiveProcess(pid, procStart);
  }

  /**
   * Signals the whole process group; false if it no longer exists. With `procStart`, a live process holding the
   * pid with another start time means the pid was reused by someone else's group leader: nothing is sent.
   * (While any member of our group lives, Linux does not hand its pgid out as a new pid.)
   */
  signalGroup(pgid: number, signal: NodeJS.Signals, procStart?: number): boolean {
    if (procStart !== undefined) {
      const s = readProcStat(pgid);
      if (s && s.startTime !== procStart) return false;
    }
    try {
      process.kill(-pgid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** True while any process of the group is alive (the leader may be gone while children linger). */
  groupAlive(pgid: number): boolean {
    return groupHasMembers(pgid, () => readdirSync('/proc'));
  }

  /** Stops following everything without touching the processes (agent shutdown), and ends the spawner. */
  async detachAll(): Promise<void> {
    for (const t of this.polls.values()) clearInterval(t);
    this.polls.clear();
    await this.spawner.close();
  }

  private async spawnInstance(launch: Launch, onExit: ExitHandler, killedWith: KilledWith, retried: boolean): Promise<Started> {
    const handlers = {
      exited: (c: Spawned, code: number | null, sig: NodeJS.Signals | null) => {
        const signal = sig ? constants.signals[sig] : undefined;
        // Deferred: whoever awaits start() records the instance before its end is reported.
        setImmediate(() => this.finish(c.pid, c.procStart, launch.exitFile, onExit, { exitCode: code ?? 128 + (signal ?? 9), signal }));
      },
      lost: (c: Spawned) => this.adopt(c.pid, c.procStart, launch.exitFile, onExit, killedWith),
    };
    let s: Spawned;
    try {
      s = await this.spawnWrapper(launch, handlers);
    } catch (err) {
      if (!(err instanceof SpawnerGoneError) || retried) throw err;
      // The spawner (or the helper) died with this request unanswered. The wrapper names its exit file in its argv,
      // which tells whether it was started (then it is followed like an adopted one); if not, it is started again. (A
      // fork of the dying process that had not yet exec'd the wrapper would be missed: a window of microseconds.)
      const w = liveWrappers().find((x) => x.exitFile === launch.exitFile);
      if (!w) return this.spawnInstance(launch, onExit, killedWith, true);
      this.adopt(w.pid, w.procStart, launch.exitFile, onExit, killedWith);
      return { pid: w.pid, procStart: w.procStart, startedAt: new Date() };
    }
    return { pid: s.pid, procStart: s.procStart, startedAt: new Date() };
  }

  /** A namespaced container's wrapper is a fork of the helper (no Node fork, no exec of podling-nsexec); the
   *  others, and a request too large for the helper, go through the spawner. */
  private async spawnWrapper(launch: Launch, handlers: ChildHandlers): Promise<Spawned> {
    if (!launch.namespaces) return this.spawner.spawn('/bin/sh', wrapperArgv(launch), { ...WRAPPER_ENV }, handlers);
    const steps = namespaceSteps(launch, await this.helper?.mountTemplate(NETNS_DIR));
    const wrapper = ['/bin/sh', ...wrapperArgv({ ...launch, cgroupProcs: [], cgroupMounts: [] })];
    return this.helper?.spawn({ ...WRAPPER_ENV }, steps, wrapper, handlers)
      ?? this.spawner.spawn(NSEXEC, [...steps, '--', ...wrapper], { ...WRAPPER_ENV }, handlers);
  }

  private finish(pid: number, procStart: number, exitFile: string, onExit: ExitHandler, fallback: Omit<ExitInfo, 'finishedAt'>): void {
    // The wrapper was the container's "init": when it is gone, so is everything it left behind.
    this.signalGroup(pid, 'SIGKILL', procStart);
    let recorded;
    try { recorded = parseExitFile(readFileSync(exitFile, 'utf8')); } catch { recorded = undefined; }
    onExit({ ...(recorded ?? fallback), finishedAt: new Date() });
  }
}

/**
 * podling-nsexec's steps before the wrapper: join the container's cgroups first (all it starts is born inside
 * them), then the pod's network and IPC namespaces (their pins are opened in the agent's mount namespace), then the
 * template mount namespace, then new UTS and mount namespaces in which the pod's files are mounted and the cgroupfs
 * made read-only (the default capability set includes DAC_OVERRIDE: a root container could otherwise write itself
 * into another cgroup). The new mount namespace is a copy of the template's few mounts, not of the host's with its
 * two pins per pod (which made each start cost O(pods)). Without a template, /run/netns is unmounted there: a copy
 * of every pod's netns pin in each container's mount namespace would keep deleted pods' namespaces alive until that
 * container ended.
 */
function namespaceSteps(l: Launch, template: { path: string; inode: string } | undefined): string[] {
  return [
    '--error-env',
    ...(l.cgroupProcs ?? []).flatMap((f) => ['--cgroup', f]),
    ...(l.sandbox ? ['--setns-net', l.sandbox.netns, ...(l.sandbox.ipc ? ['--setns-ipc', l.sandbox.ipc] : [])] : []),
    ...(template ? ['--setns-mnt', template.path, template.inode] : []),
    '--unshare-uts-mount', '--detach', NETNS_DIR,
    ...(l.podFiles ?? []).flatMap((m) => ['--bind', m.source, m.target]),
    ...(l.cgroupMounts ?? []).flatMap((m) => ['--ro-remount', m]),
  ];
}
