// GET /metrics on a real apiserver: the group-commit counters move with real writes. (That concurrent writes share
// a transaction is tested deterministically at the store level; over HTTP it depends on arrival timing.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, pod, useApiserver } from './http-helpers.ts';

// No embedded cluster DNS: its informers' watches would be counted with the test's own.
const api = useApiserver(['--controllers', 'none', '--cluster-dns-enabled', 'false']);

async function metrics(): Promise<Record<string, number>> {
  const res = await fetch(`${api.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const out: Record<string, number> = {};
  for (const line of (await res.text()).split('\n')) {
    const m = /^(podling_\w+) (\d+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

test('metrics: commits and writes count real writes', async () => {
  const before = await metrics();
  const n = 40;
  const results = await Promise.all(Array.from({ length: n }, (_, i) => call(api.url, 'POST', '/api/v1/namespaces/default/pods', pod(`m-${i}`))));
  assert.deepEqual(results.map((r) => r.status), Array(n).fill(201));
  const afterwards = await metrics();
  assert.equal(afterwards.podling_storage_writes_total - before.podling_storage_writes_total, n);
  const commits = afterwards.podling_storage_commits_total - before.podling_storage_commits_total;
  assert.ok(commits >= 1 && commits <= n, `${n} creates took ${commits} commits`);
  assert.ok(afterwards.podling_storage_max_batch_writes >= 1);
  assert.equal(afterwards.podling_storage_failed_commits_total, 0);
});

test('metrics: open watches are counted', async () => {
  const ac = new AbortController();
  const res = await fetch(`${api.url}/api/v1/pods?watch=1`, { signal: ac.signal });
  assert.equal(res.status, 200);
  assert.equal((await metrics()).podling_watches, 1);
  ac.abort();
  await res.body?.cancel().catch(() => {});
});
