// The committed objects of one resource, with a sorted key array kept for lists.
import type { StoredObject } from './storage.ts';
import { lowerBound } from './object-key.ts';

/** Current state of one resource keyed by `namespace\0name` (see object-key.ts).
 *  The sorted key array is built on the first list and then maintained: a create appends and marks it unsorted (the
 *  next list re-sorts; TimSort on a sorted run plus a short tail is close to linear), a delete splices it. */
export class ResourceObjects {
  readonly byKey = new Map<string, StoredObject>();
  private keys: string[] | null = null;
  private unsorted = false;

  get size(): number { return this.byKey.size; }

  set(key: string, obj: StoredObject): void {
    if (!this.byKey.has(key) && this.keys) {
      this.keys.push(key);
      this.unsorted = true;
    }
    this.byKey.set(key, obj);
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
