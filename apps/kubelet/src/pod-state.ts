// One pod's record and the only place it is persisted (pod-record.ts says what it holds, pod-state-store.ts how it
// is written). Every change a restarted agent must know of — an instance started or ended, a terminal phase, what
// the no-cgroup tracker found — goes through here and is saved by it.
//
// After the agent began shutting down, exits and scans are no longer written: the processes keep running, and what
// happens to them from then on is for the next agent to observe (it adopts from the last record). A start is
// always written, so the next agent knows every wrapper this one spawned.
import type { ExitInfo } from './process-runtime.ts';
import { isRunning, newPodRecord, type InstanceRecord, type PodRecord } from './pod-record.ts';

/** Where records are kept: state.json files (pod-state-store.ts), or memory on a hollow node. */
export interface PodRecordStore {
  save(record: PodRecord): void;
  remove(uid: string): Promise<void>;
}

export class PodState {
  readonly record: PodRecord;
  private stopped = false;

  constructor(uid: string, namespace: string, name: string, recovered: PodRecord | undefined, private readonly store: PodRecordStore) {
    this.record = recovered ?? newPodRecord(uid, namespace, name, new Date());
  }

  get uid(): string { return this.record.uid; }

  /** Writes the record as it is now (soon, off the event loop; see PodStateStore.save). */
  save(): void {
    this.store.save(this.record);
  }

  /** Agent shutdown: from now on only starts are written (see the top of this file). */
  stop(): void {
    this.stopped = true;
  }

  /** A change found by watching (a descendant scan): written unless the agent is shutting down. */
  observed(): void {
    if (!this.stopped) this.save();
  }

  /** Records `inst` as the container's current instance (its restart index is `inst.index`). */
  started(name: string, init: boolean, inst: InstanceRecord): void {
    const r = (this.record.containers[name] ??= { name, init, restartCount: 0 });
    if (r.current) r.previous = r.current;
    r.current = inst;
    r.restartCount = inst.index;
    r.waiting = undefined;
    this.save();
  }

  /**
   * Records how instance `index` of `name` ended; false (and nothing changes) when that is not the container's
   * running instance — a late or repeated report.
   */
  exited(name: string, index: number, info: ExitInfo): boolean {
    const cur = this.record.containers[name]?.current;
    if (!isRunning(cur) || cur.index !== index) return false;
    Object.assign(cur, {
      finishedAt: info.finishedAt.toISOString(), exitCode: info.exitCode,
      ...(info.signal ? { signal: info.signal } : {}), ...(info.reason ? { reason: info.reason } : {}), ...(info.message ? { message: info.message } : {}),
    } satisfies Partial<InstanceRecord>);
    this.observed();
    return true;
  }

  /** Records the terminal phase the first time one is reached (it never changes back); true then. */
  reachedTerminal(phase: 'Succeeded' | 'Failed'): boolean {
    if (this.record.terminalPhase) return false;
    this.record.terminalPhase = phase;
    this.save();
    return true;
  }

  /** The pod is done on this node: its state, logs and volumes are removed (a pending write is dropped). */
  remove(): Promise<void> {
    return this.store.remove(this.uid);
  }
}
