// One page of a list. The first page is the current state; later pages are the snapshot at the first page's revision,
// rebuilt from the current state and the change window.
import { StorageError, type ListOptions, type ListResult, type StoredObject } from './storage.ts';
import { lowerBound, nameKey } from './object-key.ts';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import type { ChangeWindow } from './change-window.ts';
import type { ObjectTable } from './resource-objects.ts';

const EMPTY: readonly string[] = [];

export function listPage(
  resource: string, objects: ObjectTable | undefined, window: ChangeWindow, currentRv: number, opts: ListOptions = {},
): ListResult {
  let rv = currentRv;
  let after: string | undefined;
  if (opts.continue) {
    const pos = decodeContinue(opts.continue);
    if (pos.rv > currentRv) throw new StorageError('Invalid', undefined, 'continue key is not valid: revision from the future');
    if (pos.rv < window.compactedRv) {
      throw new StorageError('Expired', undefined,
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    rv = pos.rv;
    after = pos.lastKey;
  }

  const keys = objects?.sortedKeys() ?? EMPTY;
  // State as of rv for every key changed since: the `previous` of its first later change (null: absent at rv).
  const asOf = rv < currentRv ? stateAt(window, resource, rv) : undefined;
  // Keys that existed at rv but are gone now.
  const gone = asOf ? [...asOf.keys()].filter((k) => asOf.get(k) && !objects?.has(k)).sort() : EMPTY;

  const ns = opts.namespace ?? '';
  const writtenBy = opts.writtenBy;
  const lo = ns === '' ? '' : nameKey(ns, '');
  const hi = ns === '' ? undefined : ns + '\u0001';
  const exclusive = after !== undefined && after >= lo;
  const start = exclusive ? after! : lo;
  let i = lowerBound(keys, start, exclusive);
  let j = lowerBound(gone, start, exclusive);

  /** Next (key, object) of the snapshot in key order within the range, or undefined at the end. */
  const next = (): [string, StoredObject] | undefined => {
    for (;;) {
      let k: string;
      if (i < keys.length && (j >= gone.length || keys[i] < gone[j])) k = keys[i++];
      else if (j < gone.length) k = gone[j++];
      else return undefined;
      if (hi !== undefined && k >= hi) return undefined;
      let o: StoredObject | null | undefined;
      if (asOf?.has(k)) o = asOf.get(k);
      else if (writtenBy === undefined || (objects?.revision(k) ?? Infinity) <= writtenBy) o = objects?.get(k);
      if (o && (writtenBy === undefined || o.rv <= writtenBy)) return [k, o];
    }
  };

  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const filter = opts.filter;
  const items: StoredObject[] = [];
  let lastKey = '';
  for (let e = next(); e; e = next()) {
    if (filter && !filter(e[1])) continue;
    if (items.length === limit) {
      // One more match exists: this page ends and a continue token is due.
      const result: ListResult = { items, rv, continue: encodeContinue({ rv, lastKey }) };
      if (!filter && opts.countRemaining !== false) {
        let remaining = 1;
        while (next()) remaining++;
        result.remainingItemCount = remaining;
      }
      return result;
    }
    items.push(e[1]);
    lastKey = e[0];
  }
  return { items, rv };
}

function stateAt(window: ChangeWindow, resource: string, rv: number): Map<string, StoredObject | null> {
  const asOf = new Map<string, StoredObject | null>();
  for (let i = window.firstAfter(rv), c = window.at(i); c; c = window.at(++i)) {
    if (c.key.resource !== resource) continue;
    const k = nameKey(c.key.namespace, c.key.name);
    if (!asOf.has(k)) asOf.set(k, c.previous ?? null);
  }
  return asOf;
}
