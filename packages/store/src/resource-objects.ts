// The committed objects of one resource, with a sorted key array kept for lists.
import type { StoredObject } from './storage.ts';
import { lowerBound } from './object-key.ts';

/** Current state of one resource keyed by `namespace\0name` (see object-key.ts): what gets, lists and the writes'
 *  checks read. Held in memory (ResourceObjects) or read from the database (JournalObjects). */
export interface ObjectTable {
  readonly size: number;
  get(key: string): StoredObject | undefined;
  has(key: string): boolean;
  set(key: string, obj: StoredObject): void;
  delete(key: string): void;
  /** Every key in string order; shared, do not mutate. */
  sortedKeys(): readonly string[];
}

/** A map whose sorted key array is built on the first list and then maintained: a create appends and marks it
 *  unsorted (the next list re-sorts; TimSort on a sorted run plus a short tail is close to linear), a delete splices
 *  it. */
export class SortedKeyMap<V> {
  private readonly byKey = new Map<string, V>();
  private keys: string[] | null = null;
  private unsorted = false;

  get size(): number { return this.byKey.size; }
  get(key: string): V | undefined { return this.byKey.get(key); }
  has(key: string): boolean { return this.byKey.has(key); }

  set(key: string, value: V): void {
    if (!this.byKey.has(key) && this.keys) {
      this.keys.push(key);
      this.unsorted = true;
    }
    this.byKey.set(key, value);
  }

  delete(key: string): void {
    if (!this.byKey.delete(key) || !this.keys) return;
    const keys = this.sortedKeys() as string[];
    const i = lowerBound(keys, key);
    if (keys[i] === key) keys.splice(i, 1);
  }

  sortedKeys(): readonly string[] {
    if (!this.keys) {
      this.keys = [...this.byKey.keys()];
      this.unsorted = true;
    }
    if (this.unsorted) {
      this.keys.sort();
      this.unsorted = false;
    }
    return this.keys;
  }
}

/** Every object held in memory, as its stored JSON text and selector attributes. */
export class ResourceObjects extends SortedKeyMap<StoredObject> implements ObjectTable {}
