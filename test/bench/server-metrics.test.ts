// The scale benchmark's reading of kube's latency SLI from two /metrics readings: deltas per (verb, resource) pair,
// only mutating calls on single objects, and Prometheus' histogram_quantile interpolation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mutatingLatencySli } from '../../bench/harness/server-metrics.ts';

const BOUNDS = ['0.005', '0.025', '0.05', '0.1', '0.2', '+Inf'];
function histogram(labels: string, counts: number[]): Record<string, number> {
  return Object.fromEntries(BOUNDS.map((le, i) => [`apiserver_request_duration_seconds_bucket{${labels},le="${le}"}`, counts[i]]));
}
const pair = (verb: string, resource: string, subresource: string, scope: string) =>
  `verb="${verb}",dry_run="",group="",version="v1",resource="${resource}",subresource="${subresource}",scope="${scope}",component="apiserver"`;

test('mutatingLatencySli: the p99 of the calls between two readings, per pair and over all', () => {
  const before = { ...histogram(pair('POST', 'pods', '', 'resource'), [10, 10, 10, 10, 10, 10]) };
  const after = {
    // 100 creates in the run: 98 within 5 ms, 2 in (0.1, 0.2].
    ...histogram(pair('POST', 'pods', '', 'resource'), [108, 108, 108, 108, 110, 110]),
    // 100 binds: 90 within 25 ms, 10 in (0.05, 0.1].
    ...histogram(pair('POST', 'pods', 'binding', 'resource'), [0, 90, 90, 100, 100, 100]),
    // Not counted: reads, and a collection-wide call.
    ...histogram(pair('LIST', 'pods', '', 'namespace'), [0, 0, 0, 0, 0, 1000]),
    ...histogram(pair('DELETE', 'pods', '', 'namespace'), [0, 0, 0, 0, 0, 1000]),
  };
  const sli = mutatingLatencySli(before, after);
  assert.equal(sli.count, 200);
  assert.equal(sli.within100ms, 198 / 200);
  // Creates: rank 99 of 100 is the first of the 2 in (0.1, 0.2]: 100 + 100 * 1/2 ms. Binds: 95 ms, so creates are
  // the slowest pair.
  assert.equal(sli.worst.pair, 'POST pods');
  assert.ok(Math.abs(sli.worst.p99Ms - 150) < 1e-9, String(sli.worst.p99Ms));
  assert.equal(sli.worst.count, 100);
  // All 200: rank 198 lies in (0.1, 0.2] (cumulative 198 at 0.1 → exactly its lower edge).
  assert.ok(Math.abs(sli.p99Ms - 100) < 1e-9, String(sli.p99Ms));
});

test('mutatingLatencySli: no calls, no latency', () => {
  const sli = mutatingLatencySli({}, {});
  assert.deepEqual([sli.count, sli.p99Ms, sli.within100ms], [0, 0, 1]);
});
