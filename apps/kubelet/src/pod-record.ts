// What the agent knows about a pod on this node, persisted as `<root>/pods/<uid>/state.json` so a restarted agent
// can adopt (or kill) the processes it started and keep restart counts truthful. Plain data only.
import { rfc3339 } from '@podling/api';
import type { BackoffEntry } from './crashloop-backoff.ts';
import type { TrackedProcess } from './descendant-tracker.ts';

/** One run of a container: a process group led by the container wrapper. */
export interface InstanceRecord {
  /** Restart index: 0 for the first run; names the log file `<n>.log`. */
  index: number;
  /** Wrapper pid; also the process-group id. */
  pid: number;
  /** /proc/<pid>/stat starttime (clock ticks since boot), to tell our process from a reused pid. */
  procStart: number;
  /** ISO 8601 with milliseconds (the status shows seconds; back-off needs the precision). */
  startedAt: string;
  /** Without cgroups only: every descendant seen by a scan (descendant-tracker.ts), killed with the instance. */
  descendants?: TrackedProcess[];
  finishedAt?: string;
  exitCode?: number;
  signal?: number;
  reason?: string;
  message?: string;
}

export interface ContainerRecord {
  name: string;
  init: boolean;
  restartCount: number;
  /** The latest instance (running, or the last one that terminated). */
  current?: InstanceRecord;
  /** The instance before `current` (reported as lastState when `current` runs or is final). */
  previous?: InstanceRecord;
  backoff?: BackoffEntry;
  /** Why the container is not running now (CrashLoopBackOff, CreateContainerConfigError, ...). */
  waiting?: { reason: string; message?: string };
}

export interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  startTime: string;
  containers: Record<string, ContainerRecord>;
  /** Set once the phase became Succeeded/Failed; never changes back. */
  terminalPhase?: 'Succeeded' | 'Failed';
  /** First host id of the pod's user namespace (hostUsers: false; user-namespace-ids.ts). */
  userNamespaceBase?: number;
}

export function isRunning(i: InstanceRecord | undefined): i is InstanceRecord {
  return i !== undefined && i.finishedAt === undefined;
}

export function newPodRecord(uid: string, namespace: string, name: string, now: Date): PodRecord {
  return { uid, namespace, name, startTime: rfc3339(now), containers: {} };
}

