// The watch cache of the etcd backend: every current object of the prefix and a window of recent changes, in
// memory, fed in revision order by one etcd watch (etcd-feed.ts). Gets, lists and watches are served from here as
// the SQLite backend serves them (kube-apiserver's cacher in spirit: k8s.io/apiserver pkg/storage/cacher).
import type { KubeObject } from '@podling/api';
import {
  StorageError, type Change, type ListOptions, type ListResult, type ObjectKey, type StoredObject, type WatchHandle,
  type WatchOptions,
} from './storage.ts';
import { ChangeWindow } from './change-window.ts';
import { listPage } from './list-page.ts';
import { nameKey } from './object-key.ts';
import { ResourceObjects } from './resource-objects.ts';
import { IndexedWatchers } from './indexed-watchers.ts';
import type { StorageLogger } from './sqlite-storage.ts';
import { stamp } from './stamp.ts';

/** One etcd event, decoded: a PUT carries the new state (object, already stamped), a DELETE only its revision. */
export interface FeedEvent { key: ObjectKey; rv: number; put?: StoredObject }

interface Waiter { rv: number; resolve(): void }

export class EtcdWatchCache {
  private readonly resources = new Map<string, ResourceObjects>();
  private window: ChangeWindow;
  private readonly watchers: IndexedWatchers;
  private rv: number;
  private waiters: Waiter[] = [];

  constructor(private readonly historyLimit: number, private readonly logger: StorageLogger, base: { rv: number; objects: [ObjectKey, StoredObject][] }) {
    this.rv = base.rv;
    this.window = new ChangeWindow(base.rv, []);
    for (const [k, o] of base.objects) this.table(k.resource).set(nameKey(k.namespace, k.name), o);
    this.watchers = new IndexedWatchers(logger);
  }

  get revision(): number { return this.rv; }
  get oldestRevision(): number { return this.window.compactedRv + 1; }

  get(key: ObjectKey): StoredObject | undefined {
    return this.resources.get(key.resource)?.get(nameKey(key.namespace, key.name));
  }

  list(resource: string, opts?: ListOptions): ListResult {
    return listPage(resource, this.resources.get(resource), this.window, this.rv, opts);
  }

  watch(opts: WatchOptions, listener: (batch: readonly Change[]) => void): WatchHandle {
    if (opts.fromRv < this.window.compactedRv) {
      throw new StorageError('Expired', undefined, `too old resource version: ${opts.fromRv} (${this.oldestRevision})`);
    }
    const namespace = opts.namespace ?? '';
    const replay: Change[] = [];
    for (let i = this.window.firstAfter(opts.fromRv), c = this.window.at(i); c; c = this.window.at(++i)) {
      if (c.key.resource === opts.resource && (namespace === '' || c.key.namespace === namespace)) replay.push(c);
    }
    // A revision this cache has not reached yet (another apiserver handed it out): skip what comes before it.
    const from = opts.fromRv;
    const deliver = from <= this.rv ? listener : (batch: readonly Change[]) => {
      const later = batch[batch.length - 1].rv > from ? batch.filter((c) => c.rv > from) : [];
      if (later.length > 0) listener(later);
    };
    return this.watchers.add(opts.resource, namespace, deliver, replay, opts.onEnd, opts.trigger);
  }

  /** Applies one watch response (events in revision order), then moves the revision to `rv` (>= the last event's). */
  apply(events: readonly FeedEvent[], rv: number): Change[] {
    const changes: Change[] = [];
    for (const e of events) {
      if (e.rv <= this.rv) continue; // replayed after a reconnect
      const t = this.table(e.key.resource);
      const k = nameKey(e.key.namespace, e.key.name);
      const previous = t.get(k);
      if (e.put) {
        t.set(k, e.put);
        changes.push(previous ? { type: 'MODIFIED', rv: e.rv, key: e.key, current: e.put, previous }
          : { type: 'ADDED', rv: e.rv, key: e.key, current: e.put });
      } else if (previous) {
        t.delete(k);
        changes.push({ type: 'DELETED', rv: e.rv, key: e.key, current: stamp(e.key.resource, previous.object, e.rv), previous });
      } else {
        this.logger.warn({ key: e.key, rv: e.rv }, 'etcd delete of a key the watch cache does not hold; ignored');
      }
    }
    if (changes.length > 0) {
      const plan = this.window.planPrune(changes, this.historyLimit);
      this.window.apply(changes, plan);
    }
    this.advance(Math.max(rv, changes.at(-1)?.rv ?? 0));
    if (changes.length > 0) this.watchers.publish(changes);
    return changes;
  }

  /** Nothing changed up to `rv` (a progress notification). */
  advance(rv: number): void {
    if (rv <= this.rv) return;
    this.rv = rv;
    if (this.waiters.length === 0 || this.waiters[0].rv > rv) return;
    const due = this.waiters.filter((w) => w.rv <= rv);
    this.waiters = this.waiters.filter((w) => w.rv > rv);
    for (const w of due) w.resolve();
  }

  /** Resolves true once the cache has applied revision `rv`, false after `timeoutMs`. */
  reached(rv: number, timeoutMs: number): Promise<boolean> {
    if (rv <= this.rv) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w: Waiter = { rv, resolve: () => { clearTimeout(timer); resolve(true); } };
      const timer = setTimeout(() => { this.waiters = this.waiters.filter((x) => x !== w); resolve(false); }, timeoutMs);
      const i = this.waiters.findIndex((x) => x.rv > rv);
      if (i < 0) this.waiters.push(w);
      else this.waiters.splice(i, 0, w);
    });
  }

  /** etcd compacted through `rv`: changes up to it can no longer be replayed, here either (410 Expired). */
  expireThrough(rv: number): void {
    const drop = this.window.firstAfter(rv) - this.window.firstAfter(-1);
    if (drop <= 0) return;
    this.window.apply([], this.window.planPrune([], this.window.length - drop));
  }

  /** Replaces the whole state after a relist (the watch could not resume): the window restarts empty, so every
   *  watcher is told to resume, and resuming from before `rv` is Expired. */
  replace(rv: number, objects: [ObjectKey, StoredObject][]): void {
    this.resources.clear();
    for (const [k, o] of objects) this.table(k.resource).set(nameKey(k.namespace, k.name), o);
    this.window = new ChangeWindow(rv, []);
    this.watchers.endAll();
    this.advance(rv);
  }

  private table(resource: string): ResourceObjects {
    let t = this.resources.get(resource);
    if (!t) this.resources.set(resource, (t = new ResourceObjects()));
    return t;
  }
}

/** The stored copy of a value read from etcd: the JSON has no resourceVersion; the revision is the key's. */
export function decodeValue(resource: string, value: Buffer, rv: number): StoredObject {
  return stamp(resource, JSON.parse(value.toString('utf8')) as KubeObject, rv);
}
