// Writes pod statuses through the /status subresource. Callers set the status they want as often as they like;
// writes are coalesced (a short batching delay, one request in flight per pod, only the latest status is sent) and
// skipped when nothing changed. A merge patch carries metadata.uid so a status can never land on a recreated pod
// with the same name (the kubelet's PatchPodStatus does the same). 404 ends the pod's writes; other errors retry
// with back-off.
import { isStatusError, type PodStatus } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
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

  constructor(private readonly client: KubeClientApi, private readonly log: Logger) {}

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

  private async run(e: Entry, delayMs: number): Promise<void> {
    await sleep(delayMs);
    let retry = RETRY_MIN_MS;
    while (!e.gone && e.desired !== e.written) {
      const body = e.desired;
      await this.acquire();
      try {
        await this.client.patchStatus({ resource: 'pods', namespace: e.key.namespace }, e.key.name,
          { metadata: { uid: e.key.uid }, status: JSON.parse(body) as PodStatus }, 'merge');
        e.written = body;
        this.log.debug({ pod: `${e.key.namespace}/${e.key.name}`, phase: (JSON.parse(body) as PodStatus).phase }, 'status written');
        retry = RETRY_MIN_MS;
      } catch (err) {
        if (isStatusError(err) && (err.code === 404 || (err.code === 409 && /uid/i.test(err.message)))) { e.gone = true; break; }
        if (!(isStatusError(err) && err.code === 409)) {
          this.log.warn({ pod: `${e.key.namespace}/${e.key.name}`, err }, 'status write failed; retrying');
          await sleep(retry);
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

  private async acquire(): Promise<void> {
    if (this.inFlight < MAX_IN_FLIGHT) { this.inFlight++; return; }
    await new Promise<void>((r) => this.slots.push(r));
  }

  private release(): void {
    const next = this.slots.shift();
    if (next) next(); else this.inFlight--;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
