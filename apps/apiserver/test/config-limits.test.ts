// Issue 14.10: the request-limit flags, their environment twins, and the problems reported for bad combinations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../src/config.ts';

test('the request limits default to kube-apiserver\'s in-flight caps and take flags or their environment twins', () => {
  assert.deepEqual(parseConfig([], {}).config!.limits, {
    headerTimeoutMs: 30_000, readTimeoutMs: 60_000, idleTimeoutMs: 90_000,
    maxReadonlyInflight: 400, maxMutatingInflight: 200, maxBodyBytesInflight: 64 * 1024 * 1024,
  });
  const { config } = parseConfig(['--max-requests-inflight', '10', '--request-read-timeout', '5s'],
    { PODLING_MAX_MUTATING_REQUESTS_INFLIGHT: '0', PODLING_REQUEST_HEADER_TIMEOUT: '2s' });
  assert.equal(config!.limits.maxReadonlyInflight, 10);
  assert.equal(config!.limits.maxMutatingInflight, 0);
  assert.equal(config!.limits.headerTimeoutMs, 2000);
  assert.equal(config!.limits.readTimeoutMs, 5000);
});

const bad: [string, string[], RegExp][] = [
  ['a header timeout longer than the read timeout', ['--request-header-timeout', '2m'], /--request-header-timeout: must not be longer than --request-read-timeout/],
  ['a zero timeout', ['--idle-connection-timeout', '0'], /--idle-connection-timeout: must be longer than 0/],
  ['a byte budget too small for one 3 MiB body', ['--max-request-bytes-inflight', '1000000'], /at least 4194304/],
  ['a negative cap', ['--max-requests-inflight=-1'], /--max-requests-inflight: must be an integer >= 0/],
];
for (const [what, argv, problem] of bad) {
  test(`config refuses ${what}`, () => {
    const { config, problems } = parseConfig(argv, {});
    assert.equal(config, undefined);
    assert.match(problems.join('\n'), problem);
  });
}
