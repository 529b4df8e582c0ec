// Records core/v1 Events about objects, as client-go's EventRecorder does for controllers: one Event object per
// distinct (object, type, reason, message, source); a repeat bumps `count` and `lastTimestamp` with a PATCH
// instead of creating another object (client-go's EventCorrelator dedupe; the similar-message aggregation is not
// modelled). Recording never throws: an event is a best-effort side note, so failures are logged and dropped.
import { isStatusError, type KubeEvent, type KubeObject } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';

export type EventType = 'Normal' | 'Warning';

interface Seen { namespace: string; name: string; count: number; firstTimestamp: string }

/** client-go keeps the last 4096 distinct events per recorder; older ones start a new Event object. */
const CACHE_SIZE = 4096;

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
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
