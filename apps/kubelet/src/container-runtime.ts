// The seam between the pod workers and what runs their containers (kubemark's hollow kubelet draws the same line
// at the CRI): a worker decides what runs and when, and asks its runtime for a sandbox per pod, for signals to an
// instance's process group and for short commands inside one. The agent's runtime is host processes
// (process-runtime.ts + pod-sandbox.ts); hollow nodes (hollow-runtime.ts) run nothing and report what a process
// would. Everything above this line — records, restarts, termination, statuses, events — is the same code for both.
import type { Pod } from '@podling/api';
import type { ExitHandler, Launch } from './process-runtime.ts';
import type { InstanceRecord, PodRecord } from './pod-record.ts';
import type { PodPaths } from './pod-paths.ts';
import type { PodDnsWarning } from './pod-resolv-conf.ts';
import type { NetworkState, PodSandboxView } from './pod-sandbox-network.ts';
import type { Ran, RunOptions } from './spawner-client.ts';

export type InstanceExit = (container: string, index: number, info: Parameters<ExitHandler>[0]) => void;

/** A pod's network as its worker sees it (pod-sandbox-network.ts). */
export interface SandboxNetwork {
  readonly podIP: string | undefined;
  readonly sandbox: PodSandboxView | undefined;
  readonly fallback: string | undefined;
  /** The pod's /etc/resolv.conf once written, and what its DNS policy could not have (pod-resolv-conf.ts). */
  readonly resolvConf?: string;
  readonly dnsWarnings?: PodDnsWarning[];
  ensure(pod: Pod, ranBefore: boolean): Promise<NetworkState>;
}

/** One pod's footprint on the node: where its containers run (pod-sandbox.ts is the host's). */
export interface WorkerSandbox {
  readonly network: SandboxNetwork;
  /** What the pod lacks on this node (each becomes a SandboxIncomplete warning); empty when nothing. */
  readonly gaps: string[];
  prepare(pod: Pod, record: PodRecord, onExit: InstanceExit, killedWith: (c: string) => number | undefined): Promise<void>;
  launch(container: string, index: number, launch: Launch, onExit: InstanceExit, killedWith: () => number | undefined): Promise<InstanceRecord>;
  killInstance(container: string, index: number): void;
  /** The cgroup.procs files a command run inside a running instance joins (none where there are no cgroups). */
  instanceCgroups?(container: string, index: number): string[];
  watchRotation(container: string, logPath: string, fresh: () => void): () => void;
  endInstance(container: string): void;
  removeLogsBefore(container: string, index: number): void;
  detach(): void;
  close(): Promise<void>;
}

export interface ContainerRuntime {
  /** The sandbox of pod `uid`; `persist` saves its record (the host's no-cgroup tracker adds to it). */
  sandbox(uid: string, paths: PodPaths, persist: () => void): WorkerSandbox;
  /** Signals an instance's whole process group; false if it is gone (see ProcessRuntime.signalGroup). */
  signalGroup(pgid: number, signal: NodeJS.Signals, procStart?: number): boolean;
  /** Runs a short command to completion (exec probes and hooks). */
  run(file: string, argv: string[], env: Record<string, string>, o: RunOptions): Promise<Ran>;
}
