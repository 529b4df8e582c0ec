// The one etcd watch that feeds an apiserver's watch cache. It starts from a range read at a past revision (so a
// restarted apiserver can still replay recent history) and watches the prefix from the next revision. The resume
// point is tracked here, not by the client library: etcd3's watcher resumes from the revision in the last response
// header, which during a catch-up is ahead of the events delivered, so a disconnect would skip changes. When etcd
// can no longer resume (the revision was compacted while disconnected) the cache relists and its watchers restart.
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import type { EtcdKeyLayout } from './etcd-key-layout.ts';
import { decodeValue, EtcdWatchCache, type FeedEvent } from './etcd-watch-cache.ts';
import { isCompacted } from './etcd-errors.ts';
import type { ObjectKey, StoredObject } from './storage.ts';
import type { StorageLogger } from './sqlite-storage.ts';

/** Keys per range request while loading (kube-apiserver pages its initial list by 10 000; values here are JSON). */
const PAGE = 1000;

export interface FeedOptions {
  client: Etcd3;
  layout: EtcdKeyLayout;
  historyLimit: number;
  logger: StorageLogger;
  /** The stored copy of what this apiserver itself just wrote with exactly this value, so the event need not be
   *  parsed again. */
  ownWrite(etcdKey: string, value: Buffer, rv: number): StoredObject | undefined;
}

export class EtcdFeed {
  private watcher: Watcher | undefined;
  private closed = false;
  private problem: string | undefined = 'the etcd watch is not connected yet';

  private constructor(private readonly o: FeedOptions, readonly cache: EtcdWatchCache) {}

  /** Loads the state at `from` (or at the latest revision when `from` was compacted), starts the watch and resolves
   *  once the cache holds the latest change of the prefix. (Waiting for etcd's current revision instead would hang:
   *  the watch sees only this prefix's revisions, and etcd 3.4 sends progress notifications every 10 minutes.) */
  static async open(o: FeedOptions, from: (current: number) => number): Promise<EtcdFeed> {
    const latest = await o.client.kv.range({ ...prefixRange(o.layout), sort_order: 'Descend', sort_target: 'Mod', limit: 1 });
    const current = Number(latest.header.revision);
    const last = latest.kvs[0] ? Number(latest.kvs[0].mod_revision) : 0;
    let base: LoadedState;
    try {
      base = await loadState(o, Math.max(1, Math.min(current, from(current))));
    } catch (err) {
      if (!isCompacted(err)) throw err;
      base = await loadState(o, current);
    }
    const feed = new EtcdFeed(o, new EtcdWatchCache(o.historyLimit, o.logger, base));
    feed.watch();
    if (!(await feed.cache.reached(last, 60_000))) throw new Error(`the etcd watch did not catch up to revision ${last} within 60 s`);
    return feed;
  }

  /** Why the cache may be stale (watch disconnected), or undefined while it is live. */
  get trouble(): string | undefined { return this.problem; }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.watcher;
    this.watcher = undefined;
    await w?.cancel().catch(() => {});
  }

  private watch(): void {
    const w = this.o.client.watch().prefix(this.o.layout.rangePrefix).startRevision(String(this.cache.revision + 1)).watcher();
    this.watcher = w;
    // Registered after the library's own handlers, so these run last and set the resume point it will use.
    const resumeHere = () => { w.request.start_revision = String(this.cache.revision + 1); };
    w.on('connected', () => { this.problem = undefined; resumeHere(); });
    w.on('data', (res: IWatchResponse) => { this.onResponse(res); resumeHere(); });
    w.on('disconnected', (err: Error) => {
      if (!this.problem) this.o.logger.warn({ err: err.message }, 'etcd watch disconnected; resuming when etcd answers');
      this.problem = `the etcd watch is disconnected: ${err.message}`;
      resumeHere();
    });
    w.on('error', (err: Error) => {
      // The watch was canceled by etcd: typically its start revision was compacted away while disconnected.
      if (this.watcher !== w || this.closed) return;
      this.problem = `the etcd watch was canceled: ${err.message}`;
      this.o.logger.warn({ err: err.message, revision: this.cache.revision }, 'etcd watch canceled; relisting');
      void this.relist();
    });
  }

  private onResponse(res: IWatchResponse): void {
    if (res.events.length === 0) {
      // A progress notification: every change up to this revision has been sent.
      if (!res.created && !res.canceled) this.cache.advance(Number(res.header.revision));
      return;
    }
    const events: FeedEvent[] = [];
    for (const ev of res.events) {
      const key = this.o.layout.parse(ev.kv.key.toString('utf8'));
      const rv = Number(ev.kv.mod_revision);
      if (!key) continue;
      if (ev.type === 'Delete') { events.push({ key, rv }); continue; }
      const put = this.decode(key, ev.kv, rv);
      if (put) events.push({ key, rv, put });
    }
    this.cache.apply(events, Number(res.events[res.events.length - 1].kv.mod_revision));
  }

  private decode(key: ObjectKey, kv: IKeyValue, rv: number): StoredObject | undefined {
    const own = this.o.ownWrite(kv.key.toString('utf8'), kv.value, rv);
    if (own) return own;
    try {
      return decodeValue(key.resource, kv.value, rv);
    } catch (err) {
      this.o.logger.error({ err, key, rv }, 'etcd value is not JSON; object skipped');
      return undefined;
    }
  }

  private async relist(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const state = await loadState(this.o, 0);
        if (this.closed) return;
        this.cache.replace(state.rv, state.objects);
        this.watch();
        return;
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message, attempt }, 'etcd relist failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
  }
}

interface LoadedState { rv: number; objects: [ObjectKey, StoredObject][] }

/** Every object under the prefix at `revision` (0: the latest), page by page at that one revision. */
async function loadState(o: FeedOptions, revision: number): Promise<LoadedState> {
  const { key: prefix, range_end: end } = prefixRange(o.layout);
  const objects: [ObjectKey, StoredObject][] = [];
  let from = prefix;
  let rv = revision;
  for (;;) {
    const res = await o.client.kv.range({ key: from, range_end: end, limit: PAGE, revision: rv });
    if (rv === 0) rv = Number(res.header.revision);
    for (const kv of res.kvs) {
      const key = o.layout.parse(kv.key.toString('utf8'));
      if (!key) continue;
      try {
        objects.push([key, decodeValue(key.resource, kv.value, Number(kv.mod_revision))]);
      } catch (err) {
        o.logger.error({ err, key }, 'etcd value is not JSON; object skipped');
      }
    }
    if (!res.more || res.kvs.length === 0) return { rv, objects };
    from = Buffer.concat([res.kvs[res.kvs.length - 1].key, Buffer.from([0])]);
  }
}

function prefixRange(layout: EtcdKeyLayout): { key: Buffer; range_end: Buffer } {
  const key = Buffer.from(layout.rangePrefix);
  const end = Buffer.from(key);
  end[end.length - 1]++;
  return { key, range_end: end };
}
