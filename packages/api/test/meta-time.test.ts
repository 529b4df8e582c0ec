// metav1.Time and metav1.MicroTime as apimachinery marshals them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { microTime, rfc3339 } from '../src/meta-time.ts';

const at = Date.parse('2024-05-01T12:00:00.123Z');

test('rfc3339 drops the fraction of a Date, a millisecond count and an ISO string alike', () => {
  assert.equal(rfc3339(new Date(at)), '2024-05-01T12:00:00Z');
  assert.equal(rfc3339(at), '2024-05-01T12:00:00Z');
  assert.equal(rfc3339('2024-05-01T12:00:00.123456789Z'), '2024-05-01T12:00:00Z');
  assert.equal(rfc3339('2024-05-01T12:00:00Z'), '2024-05-01T12:00:00Z');
});

test('microTime has six fractional digits', () => {
  assert.equal(microTime(at), '2024-05-01T12:00:00.123000Z');
});
