// A client-go-style reflector plus cache: list, then watch from the list's resourceVersion; follow every event's
// RV (BOOKMARKs included); rewatch from the last RV when the server ends a stream; relist on 410 Expired and
// deliver the difference against the cache, so handlers see a delete for an object that vanished while we were
// disconnected; back off and retry forever on connection errors until stop().
//
// Handlers are registered with `on('add' | 'update' | 'delete', fn)` (or `onAdd`/`onUpdate`/`onDelete` in the
// options) and called synchronously, in resourceVersion order, after the cache already reflects the change. Each
// change is delivered at most once: an event whose RV the informer has already seen is dropped. A handler that
// throws (or rejects) is logged and does not disturb the informer. A delete found by a relist carries the last
// state the informer knew (client-go wraps it in DeletedFinalStateUnknown; we pass the object itself).
import { isStatusError, type KubeObject, type Status } from '@podling/api';
import type { KubeClientApi, WatchEventOf } from './types.ts';
import { Backoff, sleep } from './backoff.ts';
import { isStatus, statusErrorFromStatus } from './status-from-response.ts';

export interface InformerLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface InformerHandlers<T> {
  onAdd?: (obj: T) => void | Promise<void>;
  onUpdate?: (oldObj: T, newObj: T) => void | Promise<void>;
  onDelete?: (obj: T) => void | Promise<void>;
}

export interface InformerOptions<T> extends InformerHandlers<T> {
  resource: string;
  /** '' or undefined watches every namespace. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  logger?: InformerLogger;
}

/** A watch that ended because the watch window no longer covers our RV: only a relist recovers. */
class ExpiredError extends Error {}

const silent: InformerLogger = { debug() {}, info() {}, warn() {}, error() {} };
/** A watch that ends sooner than this without delivering anything counts as a failure (backoff), not a rotation. */
const minHealthyWatchMs = 1000;

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  /**
   * client-go's Indexers: named functions from an object to index values, each with its buckets (value → key →
   * object), so a controller that wants one namespace's pods, or one owner's, does not walk every object.
   * 'namespace' is always there.
   */
  private readonly indexes = new Map<string, { fn: (obj: T) => string[]; buckets: Map<string, Map<string, T>> }>();
  private readonly handlers: { add: NonNullable<InformerHandlers<T>['onAdd']>[]; update: NonNullable<InformerHandlers<T>['onUpdate']>[]; delete: NonNullable<InformerHandlers<T>['onDelete']>[] } = { add: [], update: [], delete: [] };
  private readonly log: InformerLogger;
  private readonly stopSignal = new AbortController();
  private stopWatch: (() => void) | undefined;
  private rv = '';
  private synced = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly client: KubeClientApi, private readonly opts: InformerOptions<T>) {
    this.log = opts.logger ?? silent;
    this.addIndex('namespace', (o) => [o.metadata.namespace ?? '']);
    if (opts.onAdd) this.handlers.add.push(opts.onAdd);
    if (opts.onUpdate) this.handlers.update.push(opts.onUpdate);
    if (opts.onDelete) this.handlers.delete.push(opts.onDelete);
  }

  on(event: 'add', fn: (obj: T) => void | Promise<void>): this;
  on(event: 'update', fn: (oldObj: T, newObj: T) => void | Promise<void>): this;
  on(event: 'delete', fn: (obj: T) => void | Promise<void>): this;
  on(event: 'add' | 'update' | 'delete', fn: (...args: T[]) => void | Promise<void>): this {
    (this.handlers[event] as unknown[]).push(fn);
    return this;
  }

  /** The RV of the last list or event processed ('' before the first list). */
  get lastSyncResourceVersion(): string { return this.rv; }
  hasSynced(): boolean { return this.synced; }

  /** Starts the list/watch loop; resolves once the first list has been delivered, rejects if stop() comes first. */
  start(): Promise<void> {
    if (this.loop) return Promise.reject(new Error('informer already started'));
    return new Promise<void>((resolve, reject) => {
      this.loop = this.run(resolve).finally(() => {
        if (!this.synced) reject(new Error(`informer for ${this.opts.resource} stopped before its first list`));
      });
    });
  }

  /** Ends the current watch and the retry loop; resolves when the loop has exited. */
  async stop(): Promise<void> {
    this.stopSignal.abort();
    this.stopWatch?.();
    await this.loop;
  }

  list(): T[] { return [...this.cache.values()]; }
  /** The objects of one namespace ('' for cluster-scoped ones). */
  listIn(namespace: string): T[] { return this.byIndex('namespace', namespace); }

  /** Adds an index (client-go AddIndexers); objects already cached are indexed at once. A name is added once. */
  addIndex(name: string, fn: (obj: T) => string[]): void {
    if (this.indexes.has(name)) return;
    this.indexes.set(name, { fn, buckets: new Map() });
    const added = this.indexes.get(name)!;
    for (const [k, obj] of this.cache) this.indexOne(added, k, obj, 1);
  }

  /** The objects whose index `name` yields `value`. */
  byIndex(name: string, value: string): T[] {
    const idx = this.indexes.get(name);
    if (!idx) throw new Error(`informer for ${this.opts.resource} has no index ${JSON.stringify(name)}`);
    return [...(idx.buckets.get(value)?.values() ?? [])];
  }
  get(namespace: string, name: string): T | undefined { return this.cache.get(`${namespace}/${name}`); }

  private get stopped(): boolean { return this.stopSignal.signal.aborted; }
  private get ref() { return { resource: this.opts.resource, namespace: this.opts.namespace || undefined }; }

  private async run(onSynced: () => void): Promise<void> {
    const backoff = new Backoff();
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
          if (!this.synced) { this.synced = true; onSynced(); }
        }
        const healthy = await this.watchOnce();
        if (healthy) { backoff.reset(); continue; }
        this.log.debug({ resource: this.opts.resource, rv: this.rv }, 'watch ended early; backing off');
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof ExpiredError || (isStatusError(err) && err.code === 410)) {
          this.log.info({ resource: this.opts.resource, rv: this.rv }, 'watch expired; relisting');
          needList = true;
          continue; // client-go relists at once: the server is up, only our RV is too old
        }
        if (isStatusError(err)) needList = true; // an ERROR event or an HTTP error: resync from scratch
        this.log.warn({ resource: this.opts.resource, rv: this.rv, err }, 'list/watch failed; retrying');
      }
      await sleep(backoff.nextDelay(), this.stopSignal.signal);
    }
  }

  /** Lists everything and delivers the difference against the cache (adds, updates with a new RV, deletes). */
  private async relist(): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let listRv = '';
    do {
      const page = await this.client.list<T>(this.ref, {
        labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, continue: cont,
      });
      items.push(...page.items);
      cont = page.metadata.continue || undefined;
      listRv = page.metadata.resourceVersion;
    } while (cont && !this.stopped);
    if (this.stopped) return;
    this.rv = listRv;
    const seen = new Set<string>();
    for (const obj of items) {
      const k = keyOf(obj);
      seen.add(k);
      const old = this.cache.get(k);
      this.put(k, obj);
      if (!old) this.emit('add', obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emit('update', old, obj);
    }
    for (const [k, old] of [...this.cache]) {
      if (seen.has(k)) continue;
      this.drop(k, old);
      this.emit('delete', old);
    }
  }

  /** One watch from the current RV. Resolves true when the server ended a stream that was healthy. */
  private async watchOnce(): Promise<boolean> {
    const startedAt = Date.now();
    let delivered = false;
    let failure: Error | undefined;
    const stream = this.client.watch<T>(this.ref, {
      resourceVersion: this.rv, allowWatchBookmarks: true,
      labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
      // Like client-go: a random 5–10 minute server-side timeout so connections recycle and spread out.
      timeoutSeconds: 300 + Math.floor(Math.random() * 300),
    }, (ev) => {
      if (failure) return;
      if (ev.type === 'ERROR') {
        const status = isStatus(ev.object) ? ev.object : undefined;
        failure = status?.code === 410 ? new ExpiredError(status.message ?? 'expired') : statusErrorFromStatus(status ?? unknownStatus(ev.object));
        stream.stop();
        return;
      }
      delivered = true;
      this.apply(ev);
    });
    this.stopWatch = () => stream.stop();
    if (this.stopped) stream.stop();
    this.log.debug({ resource: this.opts.resource, rv: this.rv }, 'watch started');
    try {
      await stream.done;
    } finally {
      this.stopWatch = undefined;
    }
    if (failure) throw failure;
    return delivered || Date.now() - startedAt >= minHealthyWatchMs;
  }

  private apply(ev: WatchEventOf<T>): void {
    const obj = ev.object as T;
    const rv = obj.metadata?.resourceVersion ?? '';
    if (rv && this.rv && rvOlder(rv, this.rv)) {
      this.log.debug({ resource: this.opts.resource, rv, last: this.rv, type: ev.type }, 'dropping stale event');
      return;
    }
    if (rv) this.rv = rv;
    if (ev.type === 'BOOKMARK') return;
    const k = keyOf(obj);
    const old = this.cache.get(k);
    if (ev.type === 'DELETED') {
      if (!old) return;
      this.drop(k, old);
      this.emit('delete', obj);
      return;
    }
    if (old && old.metadata.resourceVersion === rv) return; // already delivered (same RV twice)
    this.put(k, obj);
    if (old) this.emit('update', old, obj);
    else this.emit('add', obj);
  }

  private put(k: string, obj: T): void {
    const old = this.cache.get(k);
    for (const idx of this.indexes.values()) {
      if (old) this.indexOne(idx, k, old, -1);
      this.indexOne(idx, k, obj, 1);
    }
    this.cache.set(k, obj);
  }

  private drop(k: string, obj: T): void {
    this.cache.delete(k);
    for (const idx of this.indexes.values()) this.indexOne(idx, k, obj, -1);
  }

  private indexOne(idx: { fn: (obj: T) => string[]; buckets: Map<string, Map<string, T>> }, k: string, obj: T, sign: 1 | -1): void {
    for (const v of idx.fn(obj)) {
      let b = idx.buckets.get(v);
      if (sign === 1) {
        if (!b) idx.buckets.set(v, (b = new Map()));
        b.set(k, obj);
      } else if (b?.delete(k) && b.size === 0) idx.buckets.delete(v);
    }
  }

  private emit(event: 'add', obj: T): void;
  private emit(event: 'update', oldObj: T, newObj: T): void;
  private emit(event: 'delete', obj: T): void;
  private emit(event: 'add' | 'update' | 'delete', ...args: T[]): void {
    for (const fn of this.handlers[event] as ((...a: T[]) => void | Promise<void>)[]) {
      try {
        const r = fn(...args);
        if (r && typeof (r as Promise<void>).then === 'function') {
          (r as Promise<void>).catch((err: unknown) => this.handlerFailed(event, args, err));
        }
      } catch (err) {
        this.handlerFailed(event, args, err);
      }
    }
  }

  private handlerFailed(event: string, args: T[], err: unknown): void {
    const obj = args[args.length - 1];
    this.log.error({ resource: this.opts.resource, event, name: obj?.metadata?.name, err }, 'informer handler failed');
  }
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

/** RVs are opaque to clients in general; Podling's are integers, so order them when both are numeric. */
function rvOlder(a: string, b: string): boolean {
  return /^\d+$/.test(a) && /^\d+$/.test(b) ? BigInt(a) < BigInt(b) : false;
}

function unknownStatus(obj: unknown): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'InternalError', message: `watch ERROR event: ${JSON.stringify(obj).slice(0, 200)}`, code: 500 };
}
