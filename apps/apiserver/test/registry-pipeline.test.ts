// Issue 15: one generic store for every kind, including the writes the control plane makes itself (namespace
// finalizer, event expiry), plus the write-path fixes real clients need (dry-run keeps resourceVersion).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@podling/testkit';
import { call, pod, useApiserver } from './http-helpers.ts';
import { httpWatch } from './watch-reader.ts';

const srv = useApiserver(['--controllers', 'none', '--event-ttl', '2s']);

const event = (name: string, namespace: string, lastTimestamp: string) => ({
  apiVersion: 'v1', kind: 'Event', metadata: { name, namespace },
  involvedObject: { kind: 'Pod', name: 'x', namespace }, reason: 'Test', message: 'm', type: 'Normal',
  firstTimestamp: lastTimestamp, lastTimestamp, count: 1,
});

test('issue 15: a dry-run update answers with the stored resourceVersion, so kubectl diff sees no change', async () => {
  const created = (await call(srv.url, 'POST', '/api/v1/namespaces/default/pods', pod('dry'))).body;
  const body = { ...created, metadata: { ...created.metadata, labels: { a: 'b' } } };
  const r = await call(srv.url, 'PUT', '/api/v1/namespaces/default/pods/dry?dryRun=All', body);
  assert.equal(r.status, 200);
  assert.equal(r.body.metadata.resourceVersion, created.metadata.resourceVersion);
  assert.deepEqual(r.body.metadata.labels, { a: 'b' });
  const stored = (await call(srv.url, 'GET', '/api/v1/namespaces/default/pods/dry')).body;
  assert.equal(stored.metadata.labels, undefined);
});

test('issue 15: deleting a namespace deletes its objects through DELETE (watchers see DELETED), then the namespace', async () => {
  assert.equal((await call(srv.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'gone' } })).status, 201);
  await call(srv.url, 'POST', '/api/v1/namespaces/gone/pods', pod('p'));
  const recent = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await call(srv.url, 'POST', '/api/v1/namespaces/gone/events', event('e', 'gone', recent));
  const rv = (await call(srv.url, 'GET', '/api/v1/namespaces/gone/events')).body.metadata.resourceVersion;
  const w = httpWatch(srv.url, `/api/v1/namespaces/gone/events?watch=true&resourceVersion=${rv}`);
  try {
    const del = await call(srv.url, 'DELETE', '/api/v1/namespaces/gone');
    assert.equal(del.status, 200);
    assert.equal(del.body.status.phase, 'Terminating');
    await w.log.waitFor((e) => e.type === 'DELETED' && e.object.metadata.name === 'e');
    await waitFor(async () => (await call(srv.url, 'GET', '/api/v1/namespaces/gone')).status === 404,
      { timeoutMs: 10_000, message: 'namespace gone was not removed' });
    assert.equal((await call(srv.url, 'GET', '/api/v1/namespaces/gone/pods/p')).status, 404);
  } finally { w.stop(); }
});

test('issue 15: /finalize changes only spec.finalizers of a namespace', async () => {
  await call(srv.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'fin' } });
  const ns = (await call(srv.url, 'GET', '/api/v1/namespaces/fin')).body;
  const body = { ...ns, metadata: { ...ns.metadata, labels: { x: 'y' } }, spec: { finalizers: ['example.com/hold'] }, status: { phase: 'Terminating' } };
  const r = await call(srv.url, 'PUT', '/api/v1/namespaces/fin/finalize', body);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.spec.finalizers, ['example.com/hold']);
  assert.equal(r.body.status.phase, 'Active');
});

test('issue 15: events past --event-ttl expire through the store (a DELETED watch event, like any delete)', async () => {
  const old = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const rv = (await call(srv.url, 'GET', '/api/v1/namespaces/default/events')).body.metadata.resourceVersion;
  const w = httpWatch(srv.url, `/api/v1/namespaces/default/events?watch=true&resourceVersion=${rv}`);
  try {
    assert.equal((await call(srv.url, 'POST', '/api/v1/namespaces/default/events', event('old', 'default', old))).status, 201);
    await w.log.waitFor((e) => e.type === 'DELETED' && e.object.metadata.name === 'old', 10_000);
  } finally { w.stop(); }
});

test('issue 18: events go --event-ttl after their last write, whatever their timestamps say, read page by page', async () => {
  // Stamped an hour ahead, and more of them than one page of the sweep.
  const later = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  await call(srv.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'expiry' } });
  const names = Array.from({ length: 1201 }, (_, i) => `ev-${i}`);
  for (let i = 0; i < names.length; i += 100) {
    const created = await Promise.all(names.slice(i, i + 100).map((n) => call(srv.url, 'POST', '/api/v1/namespaces/expiry/events', event(n, 'expiry', later))));
    assert.deepEqual(created.filter((r) => r.status !== 201), []);
  }
  await waitFor(async () => (await call(srv.url, 'GET', '/api/v1/namespaces/expiry/events')).body.items.length === 0,
    { timeoutMs: 20_000, intervalMs: 200 });
});

test('issue 15: boolean query parameters are true unless 0 or false in any case (the Python client sends True)', async () => {
  await call(srv.url, 'POST', '/api/v1/namespaces/default/pods', pod('boolish'));
  for (const off of ['false', 'FALSE', 'False', '0']) {
    const r = await call(srv.url, 'GET', `/api/v1/namespaces/default/pods?watch=${off}`);
    assert.equal(r.body.kind, 'PodList', off);
  }
  const res = await fetch(`${srv.url}/api/v1/namespaces/default/pods?watch=True&timeoutSeconds=1&fieldSelector=metadata.name%3Dboolish`);
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'boolish']]);
});

test('issue 15: a POST without Content-Type is read as JSON', async () => {
  const res = await fetch(`${srv.url}/api/v1/namespaces/default/pods`, { method: 'POST', body: new TextEncoder().encode(JSON.stringify(pod('no-ct'))) });
  assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/json');
  assert.equal(res.status, 201, await res.text());
});
