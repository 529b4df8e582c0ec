// Issue 3: watch streams over chunked HTTP and websocket, with Kubernetes resourceVersion semantics.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { waitFor } from '@podling/testkit';
import { call, pod, useApiserver } from './http-helpers.ts';
import { httpWatch, wsWatch } from './watch-reader.ts';

const srv = useApiserver(['--controllers', 'none', '--watch-history', '300', '--watch-bookmark-interval', '300ms', '--watch-buffer-limit', '65536']);
const P = '/api/v1/namespaces/default/pods';
const cleanups: (() => void)[] = [];

after(() => { for (const c of cleanups) c(); });

function watch(p: string) { const w = httpWatch(srv.url, p); cleanups.push(w.stop); return w; }

test('RV unset starts with ADDED for the current state, then changes', async () => {
  await call(srv.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'w1' } });
  for (const n of ['a', 'b']) await call(srv.url, 'POST', '/api/v1/namespaces/w1/pods', pod(n));
  const w = watch('/api/v1/namespaces/w1/pods?watch=true');
  assert.equal(await w.status, 200);
  await w.log.waitCount(2);
  assert.deepEqual(w.log.events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'a'], ['ADDED', 'b']]);
  await call(srv.url, 'POST', '/api/v1/namespaces/w1/pods', pod('c'));
  const ev = await w.log.waitFor((e) => e.object.metadata.name === 'c');
  assert.equal(ev.type, 'ADDED');
  assert.equal(ev.object.kind, 'Pod');
});

test('resuming from a list resourceVersion delivers every later change once, in order (HTTP and websocket)', async () => {
  await call(srv.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'w2' } });
  const list = (await call(srv.url, 'GET', '/api/v1/namespaces/w2/pods')).body;
  const rv = list.metadata.resourceVersion;
  const h = watch(`/api/v1/namespaces/w2/pods?watch=1&resourceVersion=${rv}`);
  const ws = wsWatch(srv.url, `/api/v1/namespaces/w2/pods?watch=true&resourceVersion=${rv}`);
  cleanups.push(ws.stop);
  await ws.opened;
  const writes = [];
  for (let i = 0; i < 60; i++) writes.push(call(srv.url, 'POST', '/api/v1/namespaces/w2/pods', pod(`p${i}`)));
  await Promise.all(writes);
  for (let i = 0; i < 20; i++) await call(srv.url, 'PATCH', `/api/v1/namespaces/w2/pods/p${i}`, { metadata: { labels: { i: String(i) } } }, { contentType: 'application/merge-patch+json' });
  for (const log of [h.log, ws.log]) {
    await log.waitCount(80);
    const rvs = log.events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.equal(new Set(rvs).size, 80, 'no event repeated');
    assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b), 'revision order');
    assert.ok(rvs[0] > Number(rv));
    assert.equal(log.events.filter((e) => e.type === 'ADDED').length, 60);
    assert.equal(log.events.filter((e) => e.type === 'MODIFIED').length, 20);
  }
});

test('a resourceVersion older than the window gets an ERROR 410 Expired event', async () => {
  const first = (await call(srv.url, 'POST', P, pod('old-rv'))).body.metadata.resourceVersion;
  for (let i = 0; i < 320; i++) await call(srv.url, 'PATCH', `${P}/old-rv`, { metadata: { labels: { n: String(i) } } }, { contentType: 'application/merge-patch+json' });
  const w = watch(`${P}?watch=true&resourceVersion=${Number(first) - 1}`);
  assert.equal(await w.status, 200);
  const ev = await w.log.waitFor((e) => e.type === 'ERROR');
  assert.equal(ev.object.code, 410);
  assert.equal(ev.object.reason, 'Expired');
  assert.match(ev.object.message, /^too old resource version: \d+ \(\d+\)$/);
  await w.log.waitEnded();
});

test('selectors: a pod that starts matching is ADDED, one that stops matching is DELETED', async () => {
  await call(srv.url, 'POST', P, pod('sel'));
  const w = watch(`${P}?watch=true&labelSelector=${encodeURIComponent('color=blue')}`);
  await w.status;
  const patch = (labels: object) => call(srv.url, 'PATCH', `${P}/sel`, { metadata: { labels } }, { contentType: 'application/merge-patch+json' });
  await patch({ color: 'blue' });
  await patch({ color: 'blue', size: 'l' });
  const left = await patch({ color: 'red' });
  await w.log.waitCount(3);
  assert.deepEqual(w.log.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  assert.equal(w.log.events[2].object.metadata.labels.color, 'blue', 'DELETED carries the last matching state');
  assert.equal(w.log.events[2].object.metadata.resourceVersion, left.body.metadata.resourceVersion, 'stamped with the change revision');
});

test('a single pod can be watched by fieldSelector; graceful delete is MODIFIED, the final removal DELETED with the last state', async () => {
  await call(srv.url, 'POST', P, pod('gd', { nodeName: 'n1' }));
  const w = watch(`${P}?watch=true&fieldSelector=${encodeURIComponent('metadata.name=gd')}`);
  await w.log.waitCount(1);
  await call(srv.url, 'POST', P, pod('gd-other'));
  const marked = await call(srv.url, 'DELETE', `${P}/gd`);
  const gone = await call(srv.url, 'DELETE', `${P}/gd`, { gracePeriodSeconds: 0 });
  await w.log.waitCount(4);
  assert.deepEqual(w.log.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED']);
  assert.ok(w.log.events[1].object.metadata.deletionTimestamp);
  assert.equal(w.log.events[1].object.metadata.resourceVersion, marked.body.metadata.resourceVersion);
  assert.equal(w.log.events[3].object.metadata.resourceVersion, gone.body.metadata.resourceVersion);
  assert.ok(w.log.events.every((e) => e.object.metadata.name === 'gd'));
});

test('bookmarks come only when asked for and carry the latest resourceVersion', async () => {
  const rv = (await call(srv.url, 'GET', P)).body.metadata.resourceVersion;
  const plain = watch(`${P}?watch=true&resourceVersion=${rv}`);
  const w = watch(`${P}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
  const bm = await w.log.waitFor((e) => e.type === 'BOOKMARK');
  assert.equal(bm.object.kind, 'Pod');
  assert.ok(Number(bm.object.metadata.resourceVersion) >= Number(rv));
  assert.equal(plain.log.events.filter((e) => e.type === 'BOOKMARK').length, 0);
});

test('timeoutSeconds ends the stream cleanly', async () => {
  const w = watch(`${P}?watch=true&timeoutSeconds=1`);
  assert.equal(await w.status, 200);
  await w.log.waitEnded(5000);
});

test('issue 14.7 sibling: a timeoutSeconds past setTimeout\'s range (30 days) keeps the watch open instead of ending it at once', async () => {
  const w = watch(`${P}?watch=true&timeoutSeconds=2592000&labelSelector=long`);
  assert.equal(await w.status, 200);
  const r = await call(srv.url, 'POST', P, { ...pod('long-timeout'), metadata: { name: 'long-timeout', labels: { long: 'y' } } });
  assert.equal(r.status, 201);
  const added = await w.log.waitFor((e) => e.type === 'ADDED' && e.object.metadata.name === 'long-timeout');
  assert.equal(added.object.metadata.labels.long, 'y');
});

test('a stalled watcher is disconnected while writes go on', async () => {
  const { port } = new URL(srv.url);
  const sock = net.connect(Number(port), '127.0.0.1');
  cleanups.push(() => sock.destroy());
  await new Promise((r) => sock.once('connect', r));
  sock.write(`GET ${P}?watch=true&labelSelector=fat HTTP/1.1\r\nHost: x\r\n\r\n`);
  sock.pause();
  let closed = false;
  sock.on('close', () => { closed = true; });
  const healthy = watch(`${P}?watch=true&labelSelector=fat`);
  const fat = 'x'.repeat(200_000);
  const total = 150; // 30 MB of events: far beyond the kernel's socket buffers plus the 64 KiB limit
  for (let i = 0; i < total; i++) {
    const r = await call(srv.url, 'POST', P, { ...pod('f'), metadata: { name: `fat-${i}`, labels: { fat: 'y' }, annotations: { a: fat } } });
    assert.equal(r.status, 201);
  }
  await healthy.log.waitCount(total, 30_000);
  sock.resume();
  await waitFor(() => closed, { timeoutMs: 10_000, message: 'the stalled watcher was never disconnected' });
});
