// A resource whose objects are read from the database instead of being held in memory. kube-apiserver does this for
// events: its watch cache has no room for them (DefaultWatchCacheSizes in
// pkg/kubeapiserver/default_storage_factory_builder.go sizes it 0), so reads of events go to etcd. Here memory keeps
// each object's key and revision, the revision finds its row in the log, and lists read the rows they return.
import type { StoredObject } from './storage.ts';
import { SortedKeyMap, type ObjectTable } from './resource-objects.ts';
import { storedFromJson, type StateReader } from './stamp.ts';

export class JournalObjects implements ObjectTable {
  private readonly revisions = new SortedKeyMap<number>();
  /** Published states whose row a commit not yet published may have removed (a write that replaces an object whose
   *  state is older than the window removes that row in its own transaction); kept until the object's next state is
   *  published. After a rolled-back commit the pin holds the state that is still current, so it may stay. */
  private readonly pinned = new Map<string, StoredObject>();

  constructor(private readonly resource: string, private readonly log: StateReader) {}

  get size(): number { return this.revisions.size; }
  has(key: string): boolean { return this.revisions.has(key); }
  revision(key: string): number | undefined { return this.revisions.get(key); }
  sortedKeys(): readonly string[] { return this.revisions.sortedKeys(); }

  get(key: string): StoredObject | undefined {
    const held = this.pinned.get(key);
    if (held) return held;
    const rv = this.revisions.get(key);
    if (rv === undefined) return undefined;
    const json = this.log.readState(rv);
    // The log keeps every current state's row (sqlite-journal.ts); a missing one is a broken invariant, not a miss.
    if (json === undefined) throw new Error(`${this.resource} "${key.replace('\0', '/')}": state ${rv} is missing from the log`);
    return storedFromJson(this.resource, json, rv);
  }

  set(key: string, obj: StoredObject): void {
    this.pinned.delete(key);
    this.revisions.set(key, obj.rv);
  }

  delete(key: string): void {
    this.pinned.delete(key);
    this.revisions.delete(key);
  }

  /** Pins `published` (see `pinned`). */
  beforeReplace(key: string, published: StoredObject): void {
    if (this.revisions.get(key) === published.rv && !this.pinned.has(key)) this.pinned.set(key, published);
  }
}
