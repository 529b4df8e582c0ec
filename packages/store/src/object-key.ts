// Keys of the in-memory maps. Namespace and name are joined by '\0', which sorts before every character a name may
// contain: plain string order of these keys is (namespace, name) order, and one namespace is a contiguous range.
import type { ObjectKey } from './storage.ts';

/** `namespace\0name`: the key within one resource. Made by join, which writes one flat string: `+` makes a cons
 *  string, and a Map keeps a cons key as its 32-byte pair over the flattened text for as long as the entry lives
 *  (130,000 of them, 4 MiB, in the apiserver's heap at the end of bench/scale.ts --scale). */
export function nameKey(namespace: string, name: string): string {
  return [namespace, name].join('\0');
}

/** `resource\0namespace\0name`: the key across resources (pending writes). */
export function fullKey(key: ObjectKey): string {
  return key.resource + '\0' + key.namespace + '\0' + key.name;
}

/** First index (from `lo` on) in the sorted `keys` whose key is >= `key` (or > `key` when `exclusive`). */
export function lowerBound(keys: readonly string[], key: string, exclusive = false, lo = 0): number {
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key || (exclusive && keys[mid] === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
