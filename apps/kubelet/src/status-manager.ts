// Writes pod statuses through the /status subresource. Callers set the status they want as often as they like;
// writes are coalesced (a short batching delay, one request in flight per pod, only the latest status is sent) and
// skipped when nothing changed. A merge patch carries metadata.uid so a status can never land on a recreated pod
// with the same name (the kubelet's PatchPodStatus does the same). A pod that is gone ends its writes at once: 404,
// a uid conflict, or 403 for a pod the agent's informer no longer has (a node asking about a pod it is not bound
// to is refused, and a force-deleted pod is no longer bound to anyone; issue 14.11). Other errors retry with
// back-off until stop() (agent shutdown: the next agent writes the status again).
import { isStatusError, type PodStatus } from '@podling/api';
import { timerDelay, type KubeClientApi } from '@podling/client';
import type { Logger } from './logger.ts';

export interface PodKey { uid: string; namespace: string; name: string }

const BATCH_MS = 5;
const MAX_IN_FLIGHT = 32;
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 5000;
/**
 * How long after its last write the manager still counts as busy. During a burst of pod starts writes come every
 * few ms with short gaps between them; without this, work that yields to status writes (events) would slip into
 * every gap.
 */
const IDLE_AFTER_MS = 100;

interface Entry {
  key: PodKey;
  desired: string;
  written: string | undefined;
  running: Promise<void> | undefined;
  gone: boolean;
}

export class StatusManager {
  private readonly entries = new Map<string, Entry>();
  private inFlight = 0;
  private readonly slots: (() => void)[] = [];
  /** Pods with a write pending or in flight. */
  private writing = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly idleWaiters: (() => void)[] = [];

  private stopped = false;
  private readonly wakeRetries = new Set<() => void>();

  /** `exists(key)`: the pod (same uid) is still bound to this node as far as the agent knows. */
  constructor(private readonly client: KubeClientApi, private readonly log: Logger, private readonly exists: (key: PodKey) => boolean = () => true) {}

  /** True while some pod's status is waiting to be written, and for IDLE_AFTER_MS after the last write. */
  get busy(): boolean { return this.writing > 0 || this.idleTimer !== undefined; }

  /** Calls `cb` once, the next time the manager is not busy. */
  onIdle(cb: () => void): void {
    if (this.busy) this.idleWaiters.push(cb); else cb();
  }

  set(key: PodKey, status: PodStatus): void {
    const desired = JSON.stringify(status);
    let e = this.entries.get(key.uid);
    if (!e) { e = { key, desired, written: undefined, running: undefined, gone: false }; this.entries.set(key.uid, e); }
    if (e.desired === desired && (e.written === desired || e.running)) return;
    e.desired = desired;
    if (!e.running) {
      this.writing++;
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      e.running = this.run(e, BATCH_MS);
    }
  }

  /** Resolves once the latest status of `uid` is written (or the pod is gone). */
  async flush(uid: string): Promise<void> {
    const e = this.entries.get(uid);
    while (e && e.running) await e.running;
  }

  forget(uid: string): void {
    const e = this.entries.get(uid);
    if (e) e.gone = true;
    this.entries.delete(uid);
  }

  /** Agent shutdown: writes in flight finish, nothing is retried, flush() resolves. */
  stop(): void {
    this.stopped = true;
    for (const w of this.wakeRetries) w();
  }

  private async run(e: Entry, delayMs: number): Promise<void> {
    await sleep(delayMs);
    let retry = RETRY_MIN_MS;
    while (!e.gone && !this.stopped && e.desired !== e.written) {
      const body = e.desired;
      await this.acquire();
      try {
        // The patch is put together from the status's text: no parse and serialization again per write.
        await this.client.patchStatus({ resource: 'pods', namespace: e.key.namespace }, e.key.name,
          `{"metadata":{"uid":${JSON.stringify(e.key.uid)}},"status":${body}}`, 'merge');
        e.written = body;
        this.log.debug({ pod: `${e.key.namespace}/${e.key.name}` }, 'status written');
        retry = RETRY_MIN_MS;
      } catch (err) {
        if (this.isGone(e.key, err)) { e.gone = true; break; }
        if (!(isStatusError(err) && err.code === 409)) {
          this.log.warn({ pod: `${e.key.namespace}/${e.key.name}`, err }, 'status write failed; retrying');
          await this.pause(retry);
          retry = Math.min(retry * 2, RETRY_MAX_MS);
        }
      } finally {
        this.release();
      }
    }
    e.running = undefined;
    if (--this.writing === 0) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        for (const cb of this.idleWaiters.splice(0)) cb();
      }, IDLE_AFTER_MS);
      this.idleTimer.unref();
    }
  }

  private isGone(key: PodKey, err: unknown): boolean {
    if (!isStatusError(err)) return false;
    return err.code === 404 || (err.code === 409 && /uid/i.test(err.message)) || (err.code === 403 && !this.exists(key));
  }

  /** Sleeps `ms`, cut short by stop(). */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => { clearTimeout(timer); this.wakeRetries.delete(wake); resolve(); };
      const timer = setTimeout(wake, timerDelay(ms));
      this.wakeRetries.add(wake);
    });
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < MAX_IN_FLIGHT) { this.inFlight++; return; }
    await new Promise<void>((r) => this.slots.push(r));
  }

  private release(): void {
    const next = this.slots.shift();
    if (next) next(); else this.inFlight--;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, timerDelay(ms)));
