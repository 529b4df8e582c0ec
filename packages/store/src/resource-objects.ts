// The committed objects of one resource, with a sorted key array kept for lists.
import type { StoredObject } from './storage.ts';
import { lowerBound } from './object-key.ts';

/** Current state of one resource keyed by `namespace\0name` (see object-key.ts): what gets, lists and the writes'
 *  checks read. Held in memory (ResourceObjects) or read from the database (JournalObjects). */
export interface ObjectTable {
  readonly size: number;
  get(key: string): StoredObject | undefined;
  /** The revision of the key's current state, without reading the object. */
  revision(key: string): number | undefined;
  has(key: string): boolean;
  set(key: string, obj: StoredObject): void;
  delete(key: string): void;
  /** Every key in string order; shared, do not mutate. */
  sortedKeys(): readonly string[];
  /** Called before a commit that replaces or deletes `published`, the key's published state, in case the commit
   *  removes what the table reads that state from (JournalObjects). */
  beforeReplace(key: string, published: StoredObject): void;
}

/** A map whose sorted key array is built on the first list and then maintained: a create appends to an unsorted
 *  tail and the next list merges it in (paging through a resource that keeps growing would otherwise re-sort every
 *  key for each page), a delete splices it. */
export class SortedKeyMap<V> {
  private readonly byKey = new Map<string, V>();
  private keys: string[] | null = null;
  /** keys[0, sorted) are in order; the rest were appended since. */
  private sorted = 0;

  get size(): number { return this.byKey.size; }
  get(key: string): V | undefined { return this.byKey.get(key); }
  has(key: string): boolean { return this.byKey.has(key); }

  set(key: string, value: V): void {
    if (!this.byKey.has(key) && this.keys) this.keys.push(key);
    this.byKey.set(key, value);
  }

  delete(key: string): void {
    if (!this.byKey.delete(key) || !this.keys) return;
    const keys = this.sortedKeys() as string[];
    const i = lowerBound(keys, key);
    if (keys[i] === key) keys.splice(i, 1);
    this.sorted = keys.length;
  }

  sortedKeys(): readonly string[] {
    if (!this.keys) {
      this.keys = [...this.byKey.keys()].sort();
      this.sorted = this.keys.length;
    } else if (this.sorted < this.keys.length) {
      mergeTail(this.keys, this.sorted);
      this.sorted = this.keys.length;
    }
    return this.keys;
  }
}

/** keys[0, sorted) in order, merged with the rest. A short tail is sorted alone and spliced in (comparisons for the
 *  tail only, a memmove per key: 0.05-0.4 ms at 92,000 keys for 1-50 new ones, against 5-8 ms for a full sort); past
 *  that the memmoves cost more than TimSort, which finds the sorted run and merges the tail itself. */
function mergeTail(keys: string[], sorted: number): void {
  if (keys.length - sorted > 64) {
    keys.sort();
    return;
  }
  const tail = keys.splice(sorted).sort();
  let from = 0;
  for (const t of tail) {
    from = lowerBound(keys, t, false, from);
    keys.splice(from++, 0, t);
  }
}

/** Every object held in memory, as its stored JSON text and selector attributes. */
export class ResourceObjects extends SortedKeyMap<StoredObject> implements ObjectTable {
  revision(key: string): number | undefined { return this.get(key)?.rv; }
  /** The published state is held here until the write is published. */
  beforeReplace(): void {}
}
