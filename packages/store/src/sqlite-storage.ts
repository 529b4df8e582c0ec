// Storage on better-sqlite3 with group commit. Memory holds every current object (but those of `uncachedResources`,
// read from the log) and a window of recent changes; reads, lists and watches are served from it. SQLite is the
// durable log and the source on restart.
//
// A write is validated against committed + pending state and given its revision synchronously, then queued. One
// flush per event-loop turn (setImmediate) writes the whole queue in one transaction, then syncs the WAL on libuv's
// thread pool (durable mode); only once the batch is on disk does the committed state change, watchers get the batch
// and the writes' promises resolve. Writes arriving meanwhile queue up and form the next batch, which is flushed as
// soon as the sync returns: the event loop keeps serving requests while the disk works. A failed transaction rejects
// every write of its batch and drops their pending state (their revisions are never reused: numbers may skip). A
// failed sync leaves the disk in an unknown state: the batch and everything queued behind it are rejected and the
// storage refuses writes from then on (as databases do on fsync failure), while reads keep serving what was durable.
import type { KubeObject } from '@podling/api';
import {
  StorageError, type Change, type ChangeType, type ListOptions, type ListResult, type ObjectKey, type Storage, type StoredObject,
  type UpdateFn, type WatchHandle, type WatchOptions,
} from './storage.ts';
import { checkDataFiles } from './data-files.ts';
import { ChangeWindow, type PrunePlan } from './change-window.ts';
import { listPage } from './list-page.ts';
import { fullKey, nameKey } from './object-key.ts';
import { ResourceObjects, type ObjectTable } from './resource-objects.ts';
import { JournalObjects } from './journal-objects.ts';
import { SqliteJournal } from './sqlite-journal.ts';
import { IndexedWatchers } from './indexed-watchers.ts';
import { copyKey, copyVersion, describeKey, notFound, releaseText, stamp, Stamping, unavailable } from './stamp.ts';

export interface StorageLogger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

export interface SqliteStorageOptions {
  /** Database file (created if missing, unless a WAL or journal left next to it shows data lived there). */
  path: string;
  /** FULL (default): acknowledged writes survive power loss. NORMAL: they survive a process crash. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Changes kept for watch replay and continued lists, in memory and on disk (default 20000, at least 1). */
  historyLimit?: number;
  /** Resources whose current objects are read from the database when asked for instead of being held in memory
   *  (kube-apiserver keeps events out of its watch cache the same way): memory keeps their keys and revisions, and
   *  their recent changes in the window like any other. Gets and lists of them cost a read per object. */
  uncachedResources?: readonly string[];
  logger?: StorageLogger;
}

export interface StorageStats {
  /** Transactions committed. */
  commits: number;
  /** Changes committed (no-op updates excluded). */
  writes: number;
  /** Largest number of changes in one transaction. */
  maxBatch: number;
  /** Transactions that failed (each rejected its whole batch). */
  failedCommits: number;
}

export interface SqliteStorage extends Storage {
  stats(): StorageStats;
}

const silent: StorageLogger = { info() {}, warn() {}, error() {} };

/** Opens (creating or migrating) the database and loads it into memory. Synchronous; throws if the file is unusable
 *  or held by another process, and DataFilesError (files untouched) if opening would discard a WAL's data. */
export function openSqliteStorage(opts: SqliteStorageOptions): SqliteStorage {
  return new SqliteStore(opts);
}

/** A state not yet published; null for a pending delete. */
interface Pending { state: StoredObject | null; rv: number }

interface QueuedWrite {
  /** Absent for a no-op update that waits for the pending state it returned. */
  change?: Change;
  result: StoredObject;
  resolve(o: StoredObject): void;
  reject(e: unknown): void;
}

class SqliteStore implements SqliteStorage {
  private readonly journal: SqliteJournal;
  private readonly logger: StorageLogger;
  private readonly historyLimit: number;
  private readonly resources = new Map<string, ObjectTable>();
  private readonly uncached: ReadonlySet<string>;
  private readonly window: ChangeWindow;
  private readonly watchers: IndexedWatchers;
  private committedRv: number;
  /** Last revision handed out (committed or pending). */
  private assignedRv: number;
  private queue: QueuedWrite[] = [];
  /** fullKey → latest state of that key not yet published: queued, or committed and waiting for its sync. */
  private readonly pending = new Map<string, Pending>();
  private flushTimer: NodeJS.Immediate | undefined;
  /** Set while a committed batch waits for its WAL sync; resolves when it is published (or failed). */
  private syncing: Promise<void> | undefined;
  /** Why writes are refused for good (a failed sync). */
  private broken: Error | undefined;
  private closed = false;
  private readonly counters: StorageStats = { commits: 0, writes: 0, maxBatch: 0, failedCommits: 0 };

  constructor(opts: SqliteStorageOptions) {
    this.logger = opts.logger ?? silent;
    this.historyLimit = opts.historyLimit ?? 20_000;
    if (!Number.isSafeInteger(this.historyLimit) || this.historyLimit < 1) {
      throw new TypeError(`historyLimit must be a positive integer, got ${opts.historyLimit}`);
    }
    if (opts.synchronous !== undefined && opts.synchronous !== 'FULL' && opts.synchronous !== 'NORMAL') {
      throw new TypeError(`synchronous must be FULL or NORMAL, got ${String(opts.synchronous)}`);
    }
    this.uncached = new Set(opts.uncachedResources ?? []);
    const started = performance.now();
    checkDataFiles(opts.path, this.logger);
    this.journal = new SqliteJournal(opts.path, (opts.synchronous ?? 'FULL') === 'FULL');
    try {
      const state = this.journal.load();
      for (const o of state.objects) this.table(o.resource).set(nameKey(o.namespace, o.name), o.stored);
      this.window = new ChangeWindow(state.compactedRv, state.changes);
      this.releaseReplaced(state.changes);
      this.releaseUncached(state.changes);
      // The limit may have shrunk since the last run.
      const plan = this.window.planPrune([], this.historyLimit);
      if (plan.dropCount > 0) {
        this.journal.commit([], plan);
        this.window.apply([], plan);
      }
      this.committedRv = this.assignedRv = state.revision;
      if (state.missingPrevious > 0) this.logger.warn({ count: state.missingPrevious }, 'changes without their previous state in the log');
      this.logger.info({
        path: opts.path, revision: state.revision, objects: state.objects.length, changes: this.window.length,
        ms: Math.round(performance.now() - started),
      }, 'storage opened');
    } catch (err) {
      this.journal.close();
      throw err;
    }
    this.watchers = new IndexedWatchers(this.logger);
  }

  currentRevision(): number { return this.committedRv; }
  oldestRevision(): number { return this.window.compactedRv + 1; }
  stats(): StorageStats { return { ...this.counters }; }

  get(key: ObjectKey): StoredObject | undefined {
    return this.resources.get(key.resource)?.get(nameKey(key.namespace, key.name));
  }

  list(resource: string, opts?: ListOptions): ListResult {
    return listPage(resource, this.resources.get(resource), this.window, this.committedRv, opts);
  }

  create(key: ObjectKey, obj: KubeObject): Promise<StoredObject> {
    if (this.closed || this.broken) return Promise.reject(this.refusal(key));
    if (this.latest(key)) return Promise.reject(new StorageError('KeyExists', key, `${describeKey(key)} already exists`));
    return this.enqueue('ADDED', key, obj);
  }

  guaranteedUpdate(key: ObjectKey, update: UpdateFn): Promise<StoredObject> {
    if (this.closed || this.broken) return Promise.reject(this.refusal(key));
    const previous = this.latest(key);
    if (!previous) return Promise.reject(notFound(key));
    let next: Stamping | null;
    try {
      const obj = update(previous);
      next = obj && new Stamping(key.resource, obj);
    } catch (err) {
      return Promise.reject(err); // refused, or not serializable: nothing was queued
    }
    if (next === null || next.sameAs(previous)) {
      // Nothing to write; but if `previous` is still pending, answer only once it is durable.
      if (!this.pending.has(fullKey(key))) return Promise.resolve(previous);
      return new Promise((resolve, reject) => {
        this.queue.push({ result: previous, resolve, reject });
        this.scheduleFlush();
      });
    }
    return this.enqueue('MODIFIED', key, next, previous);
  }

  delete(key: ObjectKey, check?: (current: StoredObject) => void): Promise<StoredObject> {
    if (this.closed || this.broken) return Promise.reject(this.refusal(key));
    const previous = this.latest(key);
    if (!previous) return Promise.reject(notFound(key));
    try {
      check?.(previous);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.enqueue('DELETED', key, previous.object, previous);
  }

  /** Replays the retained changes after fromRv synchronously, inside this call, before any later commit can run;
   *  so the listener may be called before watch() returns its handle. */
  watch(opts: WatchOptions, listener: (batch: readonly Change[]) => void): WatchHandle {
    if (opts.fromRv < this.window.compactedRv) {
      throw new StorageError('Expired', undefined, `too old resource version: ${opts.fromRv} (${this.oldestRevision()})`);
    }
    const namespace = opts.namespace ?? '';
    const replay: Change[] = [];
    for (let i = this.window.firstAfter(opts.fromRv), c = this.window.at(i); c; c = this.window.at(++i)) {
      if (c.key.resource === opts.resource && (namespace === '' || c.key.namespace === namespace)) replay.push(c);
    }
    return this.watchers.add(opts.resource, namespace, listener, replay, undefined, opts.trigger);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A sync's completion may start the next one for what queued up meanwhile.
    while (this.syncing) await this.syncing;
    this.flush(true);
    this.journal.close();
  }

  private refusal(key: ObjectKey): StorageError {
    if (!this.broken) return unavailable(key);
    const e = new StorageError('Unavailable', key, `storage failed: ${this.broken.message}`);
    e.cause = this.broken;
    return e;
  }

  private table(resource: string): ObjectTable {
    let t = this.resources.get(resource);
    if (!t) this.resources.set(resource, (t = this.uncached.has(resource) ? new JournalObjects(resource, this.journal) : new ResourceObjects()));
    return t;
  }

  /** Before a commit: the published states it replaces stay readable even where it removes their rows. */
  private pinReplaced(changes: readonly Change[]): void {
    for (const c of changes) {
      if (c.previous) this.resources.get(c.key.resource)?.beforeReplace(nameKey(c.key.namespace, c.key.name), c.previous);
    }
  }

  /** Once `changes` are published (their watchers served), the states they replaced are the watch window's alone:
   *  their text goes back to the log (stamp.ts releaseText): ~15 MiB of heap at 30,000 pods (bench/scale.ts). A
   *  change's own new state is left alone: its writer holds it as the answer. */
  private releaseReplaced(changes: readonly Change[]): void {
    for (const c of changes) if (c.previous) releaseText(c.previous, this.journal, c.rv);
  }

  /** A resource kept in the log (events) is not held in memory, and neither are the window's states of it: once its
   *  watchers are served, a change's new state is read back from its row like a replaced one. Kube's watch cache
   *  holds no events at all; here the window is shared, and at the end of bench/scale.ts 20,000 event texts in it
   *  were 14 MiB of heap. The writer answers with its own copy (enqueue), which goes with its request. */
  private releaseUncached(changes: readonly Change[]): void {
    for (const c of changes) if (this.uncached.has(c.key.resource)) releaseText(c.current, this.journal);
  }

  /** Latest state including pending writes. */
  private latest(key: ObjectKey): StoredObject | undefined {
    const p = this.pending.get(fullKey(key));
    return p === undefined ? this.get(key) : p.state ?? undefined;
  }

  private scheduleFlush(): void {
    if (!this.syncing) this.flushTimer ??= setImmediate(() => this.flush());
  }

  /** Assigns the next revision and queues the change for the next flush. */
  private enqueue(type: ChangeType, key: ObjectKey, obj: KubeObject | Stamping, previous?: StoredObject): Promise<StoredObject> {
    let current: StoredObject;
    try {
      current = obj instanceof Stamping ? obj.at(this.assignedRv + 1) : stamp(key.resource, obj, this.assignedRv + 1);
    } catch (err) {
      return Promise.reject(err); // not serializable: nothing was queued
    }
    const rv = ++this.assignedRv;
    const k = copyKey(key, current);
    const change: Change = previous ? { type, rv, key: k, current, previous } : { type, rv, key: k, current };
    this.pending.set(fullKey(change.key), { state: change.type === 'DELETED' ? null : change.current, rv });
    const promise = new Promise<StoredObject>((resolve, reject) => {
      const result = this.uncached.has(key.resource) ? copyVersion(current) : current;
      this.queue.push({ change, result, resolve, reject });
    });
    this.scheduleFlush();
    return promise;
  }

  /** Commits everything queued in one transaction, then (once it is durable) publishes. The commit is synchronous:
   *  nothing can enqueue meanwhile except listeners, whose writes go to the next batch. `now` syncs on the spot
   *  (closing). */
  private flush(now = false): void {
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    if (this.syncing) return; // the sync's completion flushes what queued up meanwhile
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const changes: Change[] = [];
    for (const w of batch) if (w.change) changes.push(w.change);

    const plan = this.window.planPrune(changes, this.historyLimit);
    this.pinReplaced(changes);
    try {
      if (changes.length > 0) this.journal.commit(changes, plan);
    } catch (err) {
      this.counters.failedCommits++;
      this.logger.error({ err, writes: changes.length, firstRv: changes[0].rv }, 'storage commit failed; batch rejected');
      this.settle(changes);
      for (const w of batch) w.reject(commitError(w, `storage commit failed: ${(err as Error).message}`, err));
      return;
    }
    if (changes.length === 0 || !this.journal.syncsWal) return this.publish(batch, changes, plan);
    if (now) {
      this.journal.syncWalNow();
      return this.publish(batch, changes, plan);
    }
    this.syncing = new Promise((resolve) => {
      this.journal.syncWal((err) => {
        this.syncing = undefined;
        if (err) this.fail(err, batch, changes);
        else {
          this.publish(batch, changes, plan);
          if (this.queue.length > 0) this.flush();
        }
        resolve();
      });
    });
  }

  /** The batch is durable: the committed state moves, watchers see it, the writers get their answers. */
  private publish(batch: QueuedWrite[], changes: Change[], plan: PrunePlan): void {
    this.settle(changes);
    for (const c of changes) {
      const t = this.table(c.key.resource);
      const k = nameKey(c.key.namespace, c.key.name);
      if (c.type === 'DELETED') t.delete(k);
      else t.set(k, c.current);
    }
    if (changes.length > 0) {
      this.committedRv = changes[changes.length - 1].rv;
      this.window.apply(changes, plan);
      this.counters.commits++;
      this.counters.writes += changes.length;
      this.counters.maxBatch = Math.max(this.counters.maxBatch, changes.length);
      this.watchers.publish(changes);
      this.releaseReplaced(changes);
      this.releaseUncached(changes);
    }
    for (const w of batch) w.resolve(w.result);
  }

  /** Forgets the pending state these changes left, unless a later write of the same key has replaced it. */
  private settle(changes: Change[]): void {
    for (const c of changes) {
      const k = fullKey(c.key);
      if (this.pending.get(k)?.rv === c.rv) this.pending.delete(k);
    }
  }

  /** The WAL sync failed: what the disk holds is unknown, so nothing more is acknowledged. */
  private fail(err: Error, batch: QueuedWrite[], changes: Change[]): void {
    this.broken = err;
    this.counters.failedCommits++;
    this.logger.error({ err, writes: changes.length, firstRv: changes[0].rv }, 'storage sync failed; refusing writes from now on');
    const queued = this.queue;
    this.queue = [];
    this.pending.clear();
    for (const w of [...batch, ...queued]) w.reject(commitError(w, `storage sync failed: ${err.message}`, err));
  }
}

function commitError(w: QueuedWrite, message: string, cause: unknown): StorageError {
  const e = new StorageError('Unavailable', w.change?.key, message);
  e.cause = cause;
  return e;
}
