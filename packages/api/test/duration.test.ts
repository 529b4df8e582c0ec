import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../src/duration.ts';

test('parseDuration reads Go duration strings as milliseconds', () => {
  const cases: [string, number][] = [
    ['0', 0], ['0s', 0], ['40s', 40_000], ['5m0s', 300_000], ['1m30s', 90_000], ['1h', 3_600_000],
    ['1.5h', 5_400_000], ['300ms', 300], ['.5s', 500], ['5.s', 5_000], ['-2s', -2_000], ['+3s', 3_000],
    ['1h2m3s4ms', 3_723_004], ['1500us', 1.5], ['2000000ns', 2], ['1µs', 0.001],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('parseDuration rejects what Go rejects, with Go\'s messages', () => {
  const cases: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['abc', 'time: invalid duration "abc"'],
    ['.s', 'time: invalid duration ".s"'],
    ['-', 'time: invalid duration "-"'],
    ['10', 'time: missing unit in duration "10"'],
    ['1m30', 'time: missing unit in duration "1m30"'],
    ['10x', 'time: unknown unit "x" in duration "10x"'],
    ['1 s', 'time: unknown unit " s" in duration "1 s"'],
  ];
  for (const [text, message] of cases) assert.throws(() => parseDuration(text), { message }, text);
});

test('formatDuration prints Go\'s canonical form', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(40_000), '40s');
  assert.equal(formatDuration(300_000), '5m0s');
  assert.equal(formatDuration(90_500), '1m30.5s');
  assert.equal(formatDuration(3_723_000), '1h2m3s');
  assert.equal(formatDuration(250), '250ms');
  assert.equal(formatDuration(-2_000), '-2s');
});
