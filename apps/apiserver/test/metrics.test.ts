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

/** The samples of one family, each as its label text (without braces) and value. */
async function samples(family: string): Promise<{ labels: string; value: number }[]> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const out: { labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (m && m[1] === family) out.push({ labels: m[2], value: Number(m[3]) });
  }
  return out;
}

const value = (list: { labels: string; value: number }[], labels: string) => list.find((s) => s.labels === labels)?.value ?? 0;
const series = (verb: string, resource: string, subresource: string, scope: string, group = '', version = 'v1') =>
  `verb="${verb}",dry_run="",group="${group}",version="${version}",resource="${resource}",subresource="${subresource}",scope="${scope}",component="apiserver"`;

test('metrics: apiserver_request_total counts each call under kube\'s verb, scope and code', async () => {
  const before = await samples('apiserver_request_total');
  assert.equal((await call(api.url, 'POST', '/api/v1/namespaces/default/pods', pod('rm-a'))).status, 201);
  assert.equal((await call(api.url, 'POST', '/api/v1/namespaces/default/pods', pod('rm-a'))).status, 409);
  assert.equal((await call(api.url, 'GET', '/api/v1/namespaces/default/pods/rm-a')).status, 200);
  assert.equal((await call(api.url, 'GET', '/api/v1/namespaces/default/pods')).status, 200);
  assert.equal((await call(api.url, 'GET', '/api/v1/pods')).status, 200);
  const patched = await fetch(`${api.url}/api/v1/namespaces/default/pods/rm-a/status`, {
    method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ status: { message: 'x' } }),
  });
  assert.equal(patched.status, 200);
  assert.equal((await call(api.url, 'GET', '/version')).status, 200);
  const after = await samples('apiserver_request_total');
  const moved = (labels: string) => value(after, labels) - value(before, labels);
  assert.equal(moved(`${series('POST', 'pods', '', 'resource')},code="201"`), 1);
  assert.equal(moved(`${series('POST', 'pods', '', 'resource')},code="409"`), 1);
  assert.equal(moved(`${series('GET', 'pods', '', 'resource')},code="200"`), 1);
  assert.equal(moved(`${series('LIST', 'pods', '', 'namespace')},code="200"`), 1);
  assert.equal(moved(`${series('LIST', 'pods', '', 'cluster')},code="200"`), 1);
  assert.equal(moved(`${series('PATCH', 'pods', 'status', 'resource')},code="200"`), 1);
  assert.equal(moved(`verb="GET",dry_run="",group="",version="",resource="",subresource="/version",scope="",component="apiserver",code="200"`), 1);
  const dry = await call(api.url, 'POST', '/api/v1/namespaces/default/pods?dryRun=All', pod('rm-dry'));
  assert.equal(dry.status, 201);
  const dryLabels = series('POST', 'pods', '', 'resource').replace('dry_run=""', 'dry_run="All"');
  assert.equal(value(await samples('apiserver_request_total'), `${dryLabels},code="201"`) - value(before, `${dryLabels},code="201"`), 1);
});

test('metrics: apiserver_request_duration_seconds is a histogram with kube\'s buckets', async () => {
  const labels = series('POST', 'pods', '', 'resource');
  const count0 = value(await samples('apiserver_request_duration_seconds_count'), labels);
  for (let i = 0; i < 3; i++) assert.equal((await call(api.url, 'POST', '/api/v1/namespaces/default/pods', pod(`rm-h-${i}`))).status, 201);
  const buckets = (await samples('apiserver_request_duration_seconds_bucket')).filter((s) => s.labels.startsWith(`${labels},le=`));
  const count = value(await samples('apiserver_request_duration_seconds_count'), labels);
  const sum = value(await samples('apiserver_request_duration_seconds_sum'), labels);
  assert.equal(count - count0, 3);
  assert.deepEqual(buckets.map((b) => /le="([^"]+)"/.exec(b.labels)![1]),
    ['0.005', '0.025', '0.05', '0.1', '0.2', '0.4', '0.6', '0.8', '1', '1.25', '1.5', '2', '3', '4', '5', '6', '8', '10', '15', '20', '30', '45', '60', '+Inf']);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, 'buckets are cumulative');
  assert.equal(buckets.at(-1)!.value, count);
  assert.ok(sum > 0 && sum < count * 60, `sum ${sum} for ${count} calls`);
});

test('metrics: paths the server does not serve add no series', async () => {
  assert.equal((await call(api.url, 'GET', '/api/v1/namespaces/default/widgets')).status, 404);
  assert.equal((await call(api.url, 'GET', '/api/v1/namespaces/default/pods/x/sideways')).status, 404);
  assert.equal((await call(api.url, 'GET', '/no/such/path')).status, 404);
  // A subresource of another resource: pods have a log, nodes do not.
  assert.equal((await call(api.url, 'GET', '/api/v1/nodes/n1/log')).status, 404);
  const all = await samples('apiserver_request_total');
  assert.ok(all.length > 0);
  assert.ok(!all.some((s) => /widgets|sideways|no\/such|resource="nodes",subresource="log"/.test(s.labels)), all.map((s) => s.labels).join('\n'));
});
