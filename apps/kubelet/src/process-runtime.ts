// Starts container instances as process groups (see container-wrapper.ts), signals whole groups, and reports each
// instance's end — from the child's exit event for processes this agent started, by polling /proc for processes it
// adopted after a restart (they are not our children, so no exit event comes).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { wrapperArgv, parseExitFile, type WrapperArgs } from './container-wrapper.ts';
import { groupHasMembers, isSameLiveProcess, readProcStat } from './proc-stat.ts';

export interface Launch extends WrapperArgs {
  env: Record<string, string>;
  /** Run inside new UTS and mount namespaces (needs root and util-linux unshare). */
  namespaces: boolean;
}

export interface Started { pid: number; procStart: number; startedAt: Date }

export interface ExitInfo { exitCode: number; signal?: number; reason?: string; message?: string; finishedAt: Date }

export type ExitHandler = (info: ExitInfo) => void;

/** How often adopted processes are checked for exit. */
const ADOPTED_POLL_MS = 200;

export class ProcessRuntime {
  private readonly children = new Map<number, ChildProcess>();
  private readonly polls = new Map<number, NodeJS.Timeout>();

  /** Spawns one instance. Throws (with the OS message) when even the wrapper cannot be started. */
  start(launch: Launch, onExit: ExitHandler): Started {
    const args = wrapperArgv(launch);
    const [file, argv] = launch.namespaces
      ? ['unshare', ['--uts', '--mount', '--propagation', 'private', '/bin/sh', ...args]]
      : ['/bin/sh', args];
    const child = spawn(file, argv, { env: launch.env, cwd: '/', detached: true, stdio: 'ignore' });
    child.on('error', () => {}); // a failed spawn is reported by the throw below
    if (child.pid === undefined) throw new Error(`cannot start the container wrapper (${file})`);
    const pid = child.pid;
    const startedAt = new Date();
    const procStart = readProcStat(pid)?.startTime ?? 0;
    this.children.set(pid, child);
    child.once('exit', (code, sig) => {
      this.children.delete(pid);
      const signal = sig ? constants.signals[sig] : undefined;
      this.finish(pid, procStart, launch.exitFile, onExit, { exitCode: code ?? 128 + (signal ?? 9), signal });
    });
    child.unref();
    return { pid, procStart, startedAt };
  }

  /**
   * Follows an instance this agent did not start (found in state.json after a restart). `killedWith` is the
   * signal the agent last sent, used when the wrapper died before recording an exit code.
   */
  adopt(pid: number, procStart: number, exitFile: string, onExit: ExitHandler, killedWith: () => number | undefined): void {
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

  /** Stops following everything without touching the processes (agent shutdown). */
  detachAll(): void {
    for (const t of this.polls.values()) clearInterval(t);
    this.polls.clear();
    for (const c of this.children.values()) c.removeAllListeners('exit');
    this.children.clear();
  }

  private finish(pid: number, procStart: number, exitFile: string, onExit: ExitHandler, fallback: Omit<ExitInfo, 'finishedAt'>): void {
    // The wrapper was the container's "init": when it is gone, so is everything it left behind.
    this.signalGroup(pid, 'SIGKILL', procStart);
    let recorded;
    try { recorded = parseExitFile(readFileSync(exitFile, 'utf8')); } catch { recorded = undefined; }
    onExit({ ...(recorded ?? fallback), finishedAt: new Date() });
  }
}
