// Which events the expiry sweep may remove: those last written before a revision mark at least --event-ttl old.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expiredUpTo, type RevisionMark } from '../src/housekeeping/event-expiry.ts';

test('the bound is the newest mark at or before the cutoff; older marks are dropped, newer ones kept', () => {
  const marks: RevisionMark[] = [{ at: 1000, rv: 10 }, { at: 2000, rv: 25 }, { at: 3000, rv: 40 }, { at: 4000, rv: 41 }];
  assert.equal(expiredUpTo(marks, 999), undefined, 'nothing was written a TTL ago yet');
  assert.equal(marks.length, 4);
  assert.equal(expiredUpTo(marks, 2500), 25);
  assert.deepEqual(marks.map((m) => m.rv), [25, 40, 41]);
  assert.equal(expiredUpTo(marks, 3000), 40, 'a mark taken exactly at the cutoff counts');
  assert.equal(expiredUpTo(marks, 10_000), 41);
  assert.deepEqual(marks, [{ at: 4000, rv: 41 }], 'the newest mark stays for the next sweep');
});
