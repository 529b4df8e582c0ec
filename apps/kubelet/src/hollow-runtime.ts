// The container runtime of hollow nodes (kubemark's fake runtime, kwok's "stages"): it runs no process. A container
// is reported started `startDelayMs` after it was asked for, runs until signalled (or for `runForMs`, then exits
// with `exitCode`), and ends at once on SIGTERM or SIGKILL with 128 + the signal, as a process that does not trap
// them would. Pods get addresses from the node's own fake range (kwok does the same), so no namespace, cgroup,
// FIFO or file is made: thousands of pods cost only their worker's memory. Exec probes and hooks succeed.
import { constants } from 'node:os';
import type { Pod } from '@podling/api';
import type { ContainerRuntime, InstanceExit, SandboxNetwork, WorkerSandbox } from './container-runtime.ts';
import type { NetworkState } from './pod-sandbox-network.ts';
import type { InstanceRecord } from './pod-record.ts';
import type { Ran } from './spawner-client.ts';

export interface HollowBehaviour {
  /** From the start request to the container running (an image pull and a process start, on a real node). */
  startDelayMs: number;
  /** How long a container runs before it exits by itself; Infinity: until it is stopped. */
  runForMs: number;
  /** The exit code of a container that ended by itself. */
  exitCode: number;
}

interface Instance { exit: (code: number, signal?: number) => void }

/**
 * Fake pids sit above Linux's largest pid_max (2^22), so a hollow instance can never be taken for a real process
 * if a record of it is ever read by a host agent.
 */
const FIRST_PID = 2 ** 23;

export class HollowRuntime implements ContainerRuntime {
  private readonly instances = new Map<number, Instance>();
  private nextPid = FIRST_PID;
  private nextHost = 1;

  /** `range`: the first three octets of this node's fake pod addresses (e.g. "100.64.3"). */
  constructor(private readonly behaviour: HollowBehaviour, private readonly range: string) {}

  sandbox(): WorkerSandbox {
    const host = this.nextHost;
    this.nextHost = (this.nextHost % 254) + 1;
    return new HollowSandbox(this, `${this.range}.${host}`);
  }

  signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
    const inst = this.instances.get(pgid);
    if (!inst) return false;
    if (signal === 'SIGTERM' || signal === 'SIGKILL') inst.exit(128 + constants.signals[signal], constants.signals[signal]);
    return true;
  }

  async run(): Promise<Ran> {
    return { code: 0, signal: null, output: '', timedOut: false };
  }

  /** Starts a hollow instance; it reports its end through `onExit` exactly once. */
  async start(onExit: (code: number, signal?: number) => void): Promise<{ pid: number; end: () => void }> {
    if (this.behaviour.startDelayMs > 0) await new Promise((r) => setTimeout(r, this.behaviour.startDelayMs));
    const pid = this.nextPid++;
    let timer: NodeJS.Timeout | undefined;
    const end = () => { clearTimeout(timer); this.instances.delete(pid); };
    const exit = (code: number, signal?: number) => {
      if (!this.instances.has(pid)) return;
      end();
      // Deferred, like a real exit report: whoever awaits the start records the instance first.
      setImmediate(() => onExit(code, signal));
    };
    this.instances.set(pid, { exit });
    if (Number.isFinite(this.behaviour.runForMs)) timer = setTimeout(() => exit(this.behaviour.exitCode), this.behaviour.runForMs);
    return { pid, end };
  }

  /** Ends an instance now, as SIGKILL would (the host's cgroup kill). */
  kill(pid: number): void {
    this.signalGroup(pid, 'SIGKILL');
  }
}

/** A hollow pod: an address and its instances; nothing on disk. */
class HollowSandbox implements WorkerSandbox {
  readonly gaps: string[] = [];
  readonly network: SandboxNetwork;
  /** Running instances by `<container>.<index>`, with how to stop following them. */
  private readonly running = new Map<string, { pid: number; end: () => void }>();

  constructor(private readonly runtime: HollowRuntime, ip: string) {
    const ready: NetworkState = { kind: 'ready', ip };
    this.network = { podIP: ip, sandbox: undefined, fallback: undefined, ensure: async (_pod: Pod) => ready };
  }

  async prepare(): Promise<void> {}

  async launch(container: string, index: number, _launch: unknown, onExit: InstanceExit): Promise<InstanceRecord> {
    const key = `${container}.${index}`;
    const s = await this.runtime.start((exitCode, signal) => {
      this.running.delete(key);
      onExit(container, index, { exitCode, ...(signal ? { signal } : {}), finishedAt: new Date() });
    });
    this.running.set(key, s);
    return { index, pid: s.pid, procStart: 0, startedAt: new Date().toISOString() };
  }

  killInstance(container: string, index: number): void {
    const s = this.running.get(`${container}.${index}`);
    if (s) this.runtime.kill(s.pid);
  }

  watchRotation(): () => void { return () => {}; }
  endInstance(): void {}
  removeLogsBefore(): void {}

  /** The worker stops managing the pod (node shutdown): its instances are forgotten, not ended. */
  detach(): void {
    for (const s of this.running.values()) s.end();
    this.running.clear();
  }

  async close(): Promise<void> {
    for (const s of [...this.running.values()]) this.runtime.kill(s.pid);
    this.detach();
  }
}
