// Records core/v1 Events about objects, as client-go's EventRecorder does for controllers: one Event object per
// distinct (object, type, reason, message, source); a repeat bumps `count` and `lastTimestamp` with a PATCH
// instead of creating another object (client-go's EventCorrelator dedupe; the similar-message aggregation is not
// modelled). Like client-go's EventSourceObjectSpamFilter, each (source, object) pair has a token bucket of 25 that
// refills one per 5 minutes: a burst about one object (a ReplicaSet creating 1,000 pods) records its first 25
// events and drops the rest instead of writing one Event per pod. Recording never throws: an event is a best-effort
// side note, so failures are logged and dropped.
import { isStatusError, type KubeEvent, type KubeObject } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';

export type EventType = 'Normal' | 'Warning';

interface Seen { namespace: string; name: string; count: number; firstTimestamp: string }

/** client-go keeps the last 4096 distinct events per recorder; older ones start a new Event object. */
const CACHE_SIZE = 4096;

/** client-go tools/record defaultSpamBurst and defaultSpamQPS (one token per 300 s). */
export const SPAM_BURST = 25;
const SPAM_REFILL_MS = 300_000;

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  /** Spam filter buckets by source and object (LRU like `seen`). */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Recordings of the same key run one after another, so a repeat never races its own create. */
  private readonly pending = new Map<string, Promise<void>>();
  private sequence = 0n;

  constructor(
    private readonly client: KubeClientApi,
    private readonly component: string,
    private readonly logger?: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Events about cluster-scoped objects (Nodes) live in `default`, as in Kubernetes. */
  record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const m = obj.metadata;
    if (!this.takeToken([obj.kind, m.namespace ?? '', m.name, m.uid, obj.apiVersion ?? ''].join('\u0000'))) return Promise.resolve();
    const key = [obj.kind, m.namespace ?? '', m.name, m.uid, type, reason, message].join('\u0000');
    const run = (this.pending.get(key) ?? Promise.resolve()).then(() => this.write(key, obj, type, reason, message));
    const tracked = run.finally(() => { if (this.pending.get(key) === tracked) this.pending.delete(key); });
    this.pending.set(key, tracked);
    return tracked;
  }

  /** Resolves when every recording started so far has finished (for shutdown and tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending.values()]);
  }

  private async write(key: string, obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const ts = this.now().toISOString().replace(/\.\d+Z$/, 'Z'); // metav1.Time has second precision
    try {
      const prior = this.seen.get(key);
      if (prior) {
        try {
          await this.client.patch<KubeEvent>({ resource: 'events', namespace: prior.namespace }, prior.name,
            { count: prior.count + 1, lastTimestamp: ts });
          prior.count += 1;
          this.touch(key, prior);
          return;
        } catch (err) {
          if (!isStatusError(err) || err.code !== 404) throw err;
          this.seen.delete(key); // the Event expired or was deleted: start a new one
        }
      }
      const namespace = obj.metadata.namespace || 'default';
      const ev: KubeEvent = {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: `${obj.metadata.name}.${this.uniqueSuffix()}`, namespace },
        involvedObject: {
          kind: obj.kind, apiVersion: obj.apiVersion ?? 'v1', namespace: obj.metadata.namespace,
          name: obj.metadata.name, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion,
        },
        reason, message, type,
        source: { component: this.component },
        firstTimestamp: ts, lastTimestamp: ts, count: 1,
        reportingComponent: this.component, reportingInstance: '', eventTime: null,
      };
      const created = await this.client.create<KubeEvent>({ resource: 'events', namespace }, ev);
      this.touch(key, { namespace, name: created.metadata.name ?? ev.metadata.name!, count: 1, firstTimestamp: ts });
    } catch (err) {
      this.logger?.warn({ err, reason, object: `${obj.metadata.namespace ?? ''}/${obj.metadata.name}` }, 'could not record event');
    }
  }

  /** One token from the object's bucket (full at first sight, one more every SPAM_REFILL_MS); false: drop. */
  private takeToken(key: string): boolean {
    const now = this.now().getTime();
    const b = this.buckets.get(key) ?? { tokens: SPAM_BURST, at: now };
    b.tokens = Math.min(SPAM_BURST, b.tokens + (now - b.at) / SPAM_REFILL_MS);
    b.at = now;
    this.buckets.delete(key);
    this.buckets.set(key, b);
    if (this.buckets.size > CACHE_SIZE) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Re-inserting keeps Map order = recency, so the first key is the least recently used. */
  private touch(key: string, value: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, value);
    if (this.seen.size > CACHE_SIZE) this.seen.delete(this.seen.keys().next().value!);
  }

  /** client-go names events `<object>.<unix nanos in hex>`; a counter keeps names unique within a millisecond. */
  private uniqueSuffix(): string {
    const nanos = BigInt(this.now().getTime()) * 1_000_000n + (this.sequence++ % 1_000_000n);
    return nanos.toString(16);
  }
}
