// The sorted key array that lists walk: kept in order across creates (merged in as a sorted tail) and deletes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SortedKeyMap } from '../src/resource-objects.ts';

test('sortedKeys stays the sorted key set through interleaved creates, deletes and lists', () => {
  const map = new SortedKeyMap<number>();
  const reference = new Set<string>();
  // A fixed-seed generator, so a failure names a reproducible sequence.
  let seed = 7;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  for (let step = 0; step < 20_000; step++) {
    const key = `ns-${rand(5)}\0name-${rand(3000)}`;
    const op = rand(10);
    if (op < 6) {
      map.set(key, step);
      reference.add(key);
    } else if (op < 9) {
      map.delete(key);
      reference.delete(key);
    } else {
      assert.deepEqual(map.sortedKeys(), [...reference].sort(), `after step ${step}`);
    }
  }
  assert.deepEqual(map.sortedKeys(), [...reference].sort());
  assert.equal(map.size, reference.size);
});

test('a list between creates merges only what was appended since the last one', () => {
  const map = new SortedKeyMap<number>();
  for (const k of ['b', 'd', 'f']) map.set(k, 0);
  assert.deepEqual(map.sortedKeys(), ['b', 'd', 'f']);
  for (const k of ['g', 'a', 'e', 'c']) map.set(k, 0);
  map.set('d', 1); // an update adds no key
  assert.deepEqual(map.sortedKeys(), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  map.delete('a');
  map.set('a', 2);
  assert.deepEqual(map.sortedKeys(), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
});

test('a long tail (more than 64 creates since the last list) is sorted into order too', () => {
  const map = new SortedKeyMap<number>();
  const reference: string[] = [];
  for (let i = 0; i < 3000; i += 3) { map.set(`k${i}`, 0); reference.push(`k${i}`); }
  map.sortedKeys();
  for (let i = 2999; i > 0; i -= 3) { map.set(`k${i}`, 0); reference.push(`k${i}`); }
  assert.deepEqual(map.sortedKeys(), reference.sort());
});
