// Best-effort Events about pods (POST /api/v1/namespaces/{ns}/events). A repeat of the same (object, type, reason,
// message) bumps count and lastTimestamp on the existing Event, like client-go's correlator. Never blocks pod work:
// events queue up, at most MAX_IN_FLIGHT requests run, and beyond MAX_QUEUE new events are dropped. Sends are
// rate-limited like the kubelet's (eventRecordQPS 50, eventBurst 100): a burst of new pods records two events each,
// and sending them all at once would compete with the pods' status writes for the apiserver. For the same reason
// events wait while pod statuses are being written (`yieldTo`), for at most MAX_YIELD_MS: on a 2-core machine
// starting 200 pods, the ~170 event POSTs that fell inside the burst cost the agent and the apiserver ~0.6 ms of CPU
// per pod, taken from the work a user waits for (the pods reaching Running).
import { randomBytes } from 'node:crypto';
import { isStatusError, type KubeEvent } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
import type { Logger } from './logger.ts';

/** What an event is about: a Pod unless `kind` says Node (the kubelet's node events: namespace default, uid = name). */
export interface EventTarget { namespace: string; name: string; uid: string; fieldPath?: string; kind?: 'Pod' | 'Node' }

const MAX_IN_FLIGHT = 4;
const QPS = 50;
const BURST = 100;
const MAX_QUEUE = 1000;
const MAX_REMEMBERED = 4096;
/** The longest an event waits for status writes to drain; beyond it, events go out beside them. */
const MAX_YIELD_MS = 2000;

/** What events give way to: the status manager. */
export interface EventYield { readonly busy: boolean; onIdle(cb: () => void): void }

interface Seen { name: string; count: number; firstTimestamp: string }

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly queue: { send: () => Promise<void>; at: number }[] = [];
  private inFlight = 0;
  private tokens = BURST;
  private refilledAt = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private yieldTimer: NodeJS.Timeout | undefined;
  private idleWanted = false;

  constructor(private readonly client: KubeClientApi, private readonly host: string, private readonly log: Logger,
    private readonly yieldTo?: EventYield) {}

  normal(target: EventTarget, reason: string, message: string): void { this.record(target, 'Normal', reason, message); }
  warning(target: EventTarget, reason: string, message: string): void { this.record(target, 'Warning', reason, message); }

  private record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.queue.length >= MAX_QUEUE) return;
    const key = [target.uid, target.fieldPath ?? '', type, reason, message].join('\u0000');
    this.queue.push({ send: () => this.send(key, target, type, reason, message), at: performance.now() });
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      if (this.mustYield()) return;
      if (!this.takeToken()) return;
      const job = this.queue.shift()!;
      this.inFlight++;
      job.send().catch((err: unknown) => this.log.debug({ err }, 'event not recorded')).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** True (and a wake-up arranged) while status writes are pending and the oldest event may still wait. */
  private mustYield(): boolean {
    if (!this.yieldTo?.busy) return false;
    const waited = performance.now() - this.queue[0].at;
    if (waited >= MAX_YIELD_MS) return false;
    if (!this.yieldTimer) {
      this.yieldTimer = setTimeout(() => { this.yieldTimer = undefined; this.pump(); }, MAX_YIELD_MS - waited);
      this.yieldTimer.unref();
    }
    if (!this.idleWanted) {
      this.idleWanted = true;
      this.yieldTo.onIdle(() => { this.idleWanted = false; this.pump(); });
    }
    return true;
  }

  /** Token bucket: false (and a wake-up scheduled) when the rate is used up. */
  private takeToken(): boolean {
    const now = performance.now();
    this.tokens = Math.min(BURST, this.tokens + ((now - this.refilledAt) * QPS) / 1000);
    this.refilledAt = now;
    if (this.tokens >= 1) { this.tokens--; return true; }
    if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; this.pump(); }, Math.ceil(((1 - this.tokens) * 1000) / QPS));
      this.timer.unref();
    }
    return false;
  }

  private async send(key: string, t: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const ref = { resource: 'events', namespace: t.namespace };
    const prev = this.seen.get(key);
    if (prev) {
      prev.count++;
      try {
        await this.client.patch(ref, prev.name, { count: prev.count, lastTimestamp: now }, 'merge');
        return;
      } catch (err) {
        if (!isStatusError(err) || err.code !== 404) throw err;
      }
    }
    const ev: KubeEvent = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${t.name}.${Date.now().toString(16)}${randomBytes(2).toString('hex')}`, namespace: t.namespace },
      involvedObject: { kind: t.kind ?? 'Pod', apiVersion: 'v1', namespace: t.namespace, name: t.name, uid: t.uid, ...(t.fieldPath ? { fieldPath: t.fieldPath } : {}) },
      reason, message, type,
      source: { component: 'kubelet', host: this.host },
      reportingComponent: 'kubelet', reportingInstance: this.host,
      firstTimestamp: prev?.firstTimestamp ?? now, lastTimestamp: now, count: prev?.count ?? 1,
    };
    await this.client.create(ref, ev);
    this.seen.set(key, { name: ev.metadata.name!, count: ev.count!, firstTimestamp: ev.firstTimestamp! });
    if (this.seen.size > MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
  }
}
