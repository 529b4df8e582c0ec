// The storage contract. Storage knows keys, JSON and revisions — nothing about Pods, validation or HTTP.
// Every implementation must pass test/storage-contract.ts (runStorageContract).
import type { KubeObject } from '@podling/api';

/** One stored version of an object, held once: `json` is its exact serialization (with its
 *  metadata.resourceVersion), produced once at write time so reads, lists and watches never re-stringify. */
export interface StoredObject<T extends KubeObject = KubeObject> {
  /** Parsed from `json` at each read: a copy the caller owns. It costs a JSON.parse, so hot paths (lists, watch
   *  filters) read `json` or `attrs` instead. */
  readonly object: T;
  /** Read it while the state is fresh: once a later write has replaced it, a store may read it back from its log on
   *  each access, which needs the store open and fails (Expired) once the log has let the state go. */
  readonly json: string;
  readonly rv: number;
  /** Name, namespace, labels and the resource's selectable fields, shaped like the object (selectorAttrs in
   *  @podling/api): what label and field selectors read. Shared: do not mutate. */
  readonly attrs: KubeObject;
}

/** Resource is the URL plural ("pods", "nodes", "namespaces", "events", "leases");
 *  namespace is '' for cluster-scoped resources. */
export interface ObjectKey { resource: string; namespace: string; name: string }

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A committed change. For DELETED, `current` is the last state with metadata.resourceVersion set to the
 *  deletion revision (as etcd3's watcher reports it). `previous` is the state before the change (absent for ADDED). */
export interface Change {
  readonly type: ChangeType;
  readonly rv: number;
  readonly key: ObjectKey;
  readonly current: StoredObject;
  readonly previous?: StoredObject;
}

export interface ListOptions {
  /** Only this namespace ('' or undefined = all namespaces). */
  namespace?: string;
  /** Predicate applied before limit/continue counting. It gets the stored version: a selector reads `attrs`,
   *  anything else pays for `object`. */
  filter?: (stored: StoredObject) => boolean;
  /** Page size; 0/undefined = everything. */
  limit?: number;
  /** Token from a previous page's `continue`. */
  continue?: string;
  /** false: leave out remainingItemCount, which costs a walk over the rest (a caller paging through it all). */
  countRemaining?: boolean;
  /** Only objects whose state in the list was written at or before this revision. Checked before the object is
   *  read, so where objects are read from the database only these are. Applied before limit/continue counting. */
  writtenBy?: number;
}

export interface ListResult {
  items: StoredObject[];
  /** Revision the list is consistent at (same on every page of a paginated list). */
  rv: number;
  continue?: string;
  remainingItemCount?: number;
}

export interface Preconditions { uid?: string; resourceVersion?: string }

/** Returns the new object, or null to leave the stored object untouched (no write, no event). Throwing aborts.
 *  It may be called more than once and must not have side effects. */
export type UpdateFn = (current: StoredObject) => KubeObject | null;

export interface WatchOptions {
  resource: string;
  namespace?: string;
  /** Deliver every change with rv > fromRv. Throws StorageError 'Expired' when fromRv is older than the window. */
  fromRv: number;
  /** Called if the store ends the watch by itself (a remote store's cache had to relist): resume from the last
   *  revision received, which may then be Expired. */
  onEnd?: () => void;
  /** What the watcher's selector requires of a field (kube's cacher calls it a trigger): the watcher is only handed
   *  changes whose current or previous state has that value, found through an index instead of a call per watcher
   *  (with a thousand agents each watching `spec.nodeName=<node>`, a pod change would otherwise reach every one of
   *  them). The watcher still filters what it is handed. */
  trigger?: WatchTrigger;
}

export interface WatchTrigger {
  /** Names the field; watchers naming the same one share an index, and `valueOf` must agree for them. */
  index: string;
  value: string;
  /** The field's value in StoredObject.attrs. */
  valueOf(attrs: KubeObject): string;
}

export interface WatchHandle {
  stop(): void;
}

export interface Storage {
  /** The revision of the last committed write (0 on an empty store). */
  currentRevision(): number;
  /** Oldest revision from which a watch (or a continue token) can still resume. */
  oldestRevision(): number;

  /** Committed state of one object, or undefined. Synchronous: served from memory (or SQLite's local file). */
  get(key: ObjectKey): StoredObject | undefined;

  /** Objects ordered by (namespace, name). Pages of a continued list are a consistent snapshot at the first
   *  page's revision; a token older than the retained history fails with StorageError 'Expired'. */
  list(resource: string, opts?: ListOptions): ListResult;

  /** Writes a new object. The store sets metadata.resourceVersion; everything else is the caller's.
   *  Fails with 'KeyExists' if the key is taken. Resolves only once the write is durable. */
  create(key: ObjectKey, obj: KubeObject): Promise<StoredObject>;

  /** Optimistic concurrency spelled out once: runs `update` against the latest state (committed or pending) and
   *  writes the result. Fails with 'NotFound'. Resolves with the stored object: the old one if update returned null
   *  or an object whose stored text would be the old one's (a no-op update writes nothing, as in kube-apiserver). */
  guaranteedUpdate(key: ObjectKey, update: UpdateFn): Promise<StoredObject>;

  /** Removes an object; `check` may throw to refuse (preconditions). Resolves with the last state stamped with the
   *  deletion revision. Fails with 'NotFound'. */
  delete(key: ObjectKey, check?: (current: StoredObject) => void): Promise<StoredObject>;

  /** Streams committed changes of one resource in revision order, in batches (one batch per commit), after the
   *  changes with rv <= fromRv. The listener runs synchronously on the commit path: it must not block or throw.
   *  The retained changes after fromRv are replayed as one batch synchronously inside watch(), before it returns the
   *  handle (so no commit can slip between replay and live batches); a listener that needs the handle during that
   *  first call must not rely on it being assigned yet. Batches are shared by all watchers: do not mutate them. */
  watch(opts: WatchOptions, listener: (batch: readonly Change[]) => void): WatchHandle;

  /** For a store whose memory may trail revisions handed out elsewhere (etcd: another apiserver's write): resolves
   *  true once currentRevision() >= rv, false after timeoutMs. Absent where the store is the only writer. */
  waitForRevision?(rv: number, timeoutMs: number): Promise<boolean>;

  /** Flushes pending writes and closes the database; later writes fail with 'Unavailable'. Calling it again is a no-op. */
  close(): Promise<void>;
}

/** NotFound / KeyExists: the key's state refused the write. Expired: a watch revision or continue token is older than
 *  the retained history (clients relist). Invalid: a malformed continue token (a client error, HTTP 400).
 *  Unavailable: the store is closed or a commit failed (nothing of that write was stored). Timeout: a remote store
 *  (etcd) did not answer in time; the write may or may not have happened. */
export type StorageErrorCode = 'NotFound' | 'KeyExists' | 'Expired' | 'Invalid' | 'Unavailable' | 'Timeout';

const BRAND = Symbol.for('podling.StorageError');

/** Storage-level failures; the apiserver translates them to API Status errors at its boundary. */
export class StorageError extends Error {
  readonly [BRAND] = true;
  constructor(readonly code: StorageErrorCode, readonly key: ObjectKey | undefined, message: string) {
    super(message);
    this.name = 'StorageError';
  }
}

export function isStorageError(e: unknown, code?: StorageErrorCode): e is StorageError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true &&
    (code === undefined || (e as StorageError).code === code);
}
