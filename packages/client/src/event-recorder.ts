// Records core/v1 Events for the controllers and the kubelet alike, as client-go's tools/record EventRecorder does
// (staging/src/k8s.io/client-go/tools/record/event.go) with its EventCorrelator (tools/record/events_cache.go):
// - Dedupe: one Event object per distinct (object, fieldPath, type, reason, message). A repeat bumps `count` and
//   `lastTimestamp` with a merge PATCH (eventLogger.eventObserve); if the PATCH finds no Event (expired or deleted),
//   the Event is created again under its name with the running count and firstTimestamp (event.go recordEvent).
//   The last 4096 distinct events are remembered (maxLruCacheEntries); an older one starts a new Event. The
//   aggregation of similar messages (EventAggregator) is not modelled.
// - Spam filter (EventSourceObjectSpamFilter): each object has a bucket of 25 tokens that refills one per 300 s, and
//   every recording takes one, repeats included: a ReplicaSet creating 1,000 pods records its first 25 events, not
//   1,000, and a pod in a long crash loop one event per 5 minutes once its burst is spent.
// - Recordings with the same dedupe key run one after another, so a repeat never races its own create.
// - Send limits, all off unless given, for an agent whose events compete with the work users wait for (the
//   kubelet): at most `maxInFlight` requests at once, at most `maxQueue` recordings waiting (newer ones dropped), a
//   `qps`/`burst` token bucket (client-go puts the kubelet's eventRecordQPS/eventBurst on the events' REST client),
//   and `yieldTo`: wait while another writer is busy, for at most MAX_YIELD_MS.
// Recording never throws: an event is a best-effort side note, so failures are logged and dropped.
import { randomInt } from 'node:crypto';
import { isStatusError, rfc3339, type KubeEvent, type KubeObject, type ObjectReference } from '@podling/api';
import type { KubeClientApi } from './types.ts';
import { TokenBucket } from './token-bucket.ts';

export type EventType = 'Normal' | 'Warning';

/** What an event is about, for a caller without the whole object: a Pod unless `kind` says otherwise. */
export interface EventTarget { kind?: string; apiVersion?: string; namespace: string; name: string; uid: string; fieldPath?: string }

/** What events give way to (the kubelet's pod status writes): `onIdle` calls back once, when `busy` is next false. */
export interface EventYield { readonly busy: boolean; onIdle(cb: () => void): void }

export interface EventLogger { warn(obj: object, msg?: string): void }

export interface EventRecorderOptions {
  /** source.component and reportingComponent: 'kubelet', 'default-scheduler', 'replicaset-controller', … */
  component: string;
  /** source.host and reportingInstance: the kubelet's node. */
  host?: string;
  logger?: EventLogger;
  /** The clock of the events' timestamps and of the spam filter (a controller's fake clock in tests). */
  now?: () => Date;
  /** Event requests per second; no rate limit unless given. */
  qps?: number;
  /** Requests allowed at once after a quiet spell (default: qps, at least 1). */
  burst?: number;
  /** The most event requests in flight at once. */
  maxInFlight?: number;
  /** The most recordings waiting to be sent; beyond it new ones are dropped. */
  maxQueue?: number;
  yieldTo?: EventYield;
}

interface Seen { name: string; count: number; firstTimestamp: string }
type Involved = ObjectReference & { name: string };

/** client-go's maxLruCacheEntries: distinct events, and objects' spam buckets, remembered per recorder. */
const CACHE_SIZE = 4096;
/** client-go's defaultSpamBurst and defaultSpamQPS. */
export const SPAM_BURST = 25;
const SPAM_QPS = 1 / 300;
/** The longest a recording waits for `yieldTo` to go idle; beyond it, events go out beside the other writes. */
export const MAX_YIELD_MS = 2000;

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly spam = new Map<string, TokenBucket>();
  /** The last recording of each dedupe key: the next one of that key starts after it. */
  private readonly pending = new Map<string, Promise<void>>();
  /** Recordings allowed to send once the limits let them, first come first served. */
  private readonly waiting: { go: () => void; at: number }[] = [];
  /** Recordings accepted and not yet sending (waiting for their key or for the limits): what maxQueue bounds. */
  private queued = 0;
  private inFlight = 0;
  private readonly rate: TokenBucket | undefined;
  private rateTimer: NodeJS.Timeout | undefined;
  private yieldTimer: NodeJS.Timeout | undefined;
  private idleWanted = false;
  private readonly now: () => Date;
  /**
   * Names are `<object>.<unix nanos in hex>` like client-go's, from a millisecond clock: the sub-millisecond digits
   * are a counter that starts at a random offset, so the many recorders of one process (hollow nodes), or of
   * several, do not pick the same name for events about one object in the same millisecond.
   */
  private sequence = randomInt(1_000_000);

  constructor(private readonly client: KubeClientApi, private readonly opts: EventRecorderOptions) {
    this.now = opts.now ?? (() => new Date());
    if (opts.qps !== undefined) this.rate = new TokenBucket(opts.qps, opts.burst ?? Math.max(1, opts.qps));
  }

  /**
   * Records that `type`/`reason`/`message` happened to `target`; resolves once the Event is written, or dropped.
   * Events about cluster-scoped objects (Nodes) live in namespace `default`, as in Kubernetes.
   */
  record(target: KubeObject | EventTarget, type: EventType, reason: string, message: string): Promise<void> {
    const at = this.now();
    // A full queue drops silently: a line per dropped event would flood the log exactly when the agent is busiest.
    if (this.queued >= (this.opts.maxQueue ?? Infinity)) return Promise.resolve();
    const obj = involvedObject(target);
    const objectKey = [obj.kind, obj.namespace ?? '', obj.name, obj.uid, obj.apiVersion].join('\u0000');
    if (!this.takeSpamToken(objectKey, at.getTime())) return Promise.resolve();
    this.queued++;
    const key = [objectKey, obj.fieldPath ?? '', type, reason, message].join('\u0000');
    const run = (this.pending.get(key) ?? Promise.resolve())
      .then(() => this.slot())
      .then(() => this.write(key, obj, type, reason, message, at))
      .finally(() => { this.inFlight--; this.pump(); });
    const tracked = run.finally(() => { if (this.pending.get(key) === tracked) this.pending.delete(key); });
    this.pending.set(key, tracked);
    return tracked;
  }

  /**
   * Resolves when every recording started so far has been written or dropped (for shutdown and tests). The timers
   * of the rate limit and of `yieldTo` do not keep the process alive: at exit, events still waiting are dropped.
   */
  async flush(): Promise<void> {
    await Promise.all([...this.pending.values()]);
  }

  private async write(key: string, obj: Involved, type: EventType, reason: string, message: string, at: Date): Promise<void> {
    const ts = rfc3339(at);
    const namespace = obj.namespace || 'default';
    try {
      const prior = this.seen.get(key);
      if (prior) {
        prior.count += 1; // counted when observed, as eventObserve does, whether or not the write succeeds
        lruSet(this.seen, key, prior);
        try {
          await this.client.patch<KubeEvent>({ resource: 'events', namespace }, prior.name, { count: prior.count, lastTimestamp: ts }, 'merge');
          return;
        } catch (err) {
          if (!isStatusError(err) || err.code !== 404) throw err;
        }
      }
      const { component, host } = this.opts;
      const ev: KubeEvent = {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: prior?.name ?? `${obj.name}.${this.nanosHex(at)}`, namespace },
        involvedObject: obj,
        reason, message, type,
        source: host === undefined ? { component } : { component, host },
        firstTimestamp: prior?.firstTimestamp ?? ts, lastTimestamp: ts, count: prior?.count ?? 1,
        reportingComponent: component, reportingInstance: host ?? '', eventTime: null,
      };
      const created = await this.client.create<KubeEvent>({ resource: 'events', namespace }, ev);
      lruSet(this.seen, key, { name: created.metadata.name ?? ev.metadata.name!, count: ev.count!, firstTimestamp: ev.firstTimestamp! });
    } catch (err) {
      this.opts.logger?.warn({ err, reason, object: `${obj.namespace ?? ''}/${obj.name}` }, 'could not record event');
    }
  }

  /** One token from the object's spam bucket; false: drop the recording. */
  private takeSpamToken(objectKey: string, nowMs: number): boolean {
    const bucket = this.spam.get(objectKey) ?? new TokenBucket(SPAM_QPS, SPAM_BURST);
    lruSet(this.spam, objectKey, bucket);
    return bucket.take(nowMs);
  }

  private nanosHex(at: Date): string {
    const sub = BigInt(this.sequence++ % 1_000_000);
    return (BigInt(at.getTime()) * 1_000_000n + sub).toString(16);
  }

  /** Resolves when the limits let one more request go. */
  private slot(): Promise<void> {
    return new Promise((go) => {
      this.waiting.push({ go, at: performance.now() });
      this.pump();
    });
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.inFlight < (this.opts.maxInFlight ?? Infinity)) {
      if (this.mustYield() || !this.takeRateToken()) return;
      this.queued--;
      this.inFlight++;
      this.waiting.shift()!.go();
    }
  }

  /** True (and a wake-up arranged) while `yieldTo` is busy and the oldest waiting recording may still wait. */
  private mustYield(): boolean {
    const y = this.opts.yieldTo;
    if (!y?.busy) return false;
    const waited = performance.now() - this.waiting[0].at;
    if (waited >= MAX_YIELD_MS) return false;
    if (!this.yieldTimer) {
      this.yieldTimer = setTimeout(() => { this.yieldTimer = undefined; this.pump(); }, MAX_YIELD_MS - waited);
      this.yieldTimer.unref();
    }
    if (!this.idleWanted) {
      this.idleWanted = true;
      y.onIdle(() => { this.idleWanted = false; this.pump(); });
    }
    return true;
  }

  /** A token of the send rate limit (on the monotonic clock: it arms real timers); false: a wake-up is arranged. */
  private takeRateToken(): boolean {
    if (!this.rate) return true;
    const now = performance.now();
    if (this.rate.take(now)) return true;
    if (!this.rateTimer) {
      this.rateTimer = setTimeout(() => { this.rateTimer = undefined; this.pump(); }, this.rate.waitMs(now));
      this.rateTimer.unref();
    }
    return false;
  }
}

/** The involvedObject: a whole object gives its resourceVersion, a reference its fieldPath. */
function involvedObject(t: KubeObject | EventTarget): Involved {
  if ('metadata' in t) {
    const m = t.metadata;
    return {
      kind: t.kind, apiVersion: t.apiVersion ?? 'v1', namespace: m.namespace, name: m.name ?? '', uid: m.uid, resourceVersion: m.resourceVersion,
    };
  }
  return {
    kind: t.kind ?? 'Pod', apiVersion: t.apiVersion ?? 'v1', namespace: t.namespace, name: t.name, uid: t.uid,
    ...(t.fieldPath ? { fieldPath: t.fieldPath } : {}),
  };
}

/** Re-inserting keeps a Map's order = recency, so the first key is the least recently used. */
function lruSet<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > CACHE_SIZE) map.delete(map.keys().next().value!);
}
