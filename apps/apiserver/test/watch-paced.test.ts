// A watch that starts from the current state (no resourceVersion, or sendInitialEvents=true) of many objects or many
// megabytes, or resumes that far back: what it starts with goes out as the reader takes it, within the watch buffer's
// bound, and what is committed meanwhile follows in order. Before, all of it was written in one call: a reader that
// had not taken it yet was cut off at the next event or at its timeout, as it was over the bound.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { waitFor } from '@podling/testkit';
import { call, pod, useApiserver, type Res } from './http-helpers.ts';
import { wsWatch, type Ev } from './watch-reader.ts';

const P = '/api/v1/namespaces/default/pods';
const COUNT = 1200; // three pages of the initial state
const PAD = 25_000; // 30 MB in all: far beyond the kernel's socket buffers and the 64 KiB bound
const bulkNames = Array.from({ length: COUNT }, (_, i) => `bulk-${String(i).padStart(4, '0')}`);

const HISTORY = 1500; // the window: the bulk creates fit, and as many more push them out
let beforeBulk = '';

const srv = useApiserver(['--controllers', 'none', '--watch-buffer-limit', '65536', '--watch-history', String(HISTORY)], async (url) => {
  beforeBulk = (await call(url, 'GET', P)).body.metadata.resourceVersion;
  await createPadded(url, bulkNames, 'bulk', PAD, 50);
});

/** Creates pods `names`, labelled `label`, each with an annotation of `pad` characters, `parallel` at a time. */
async function createPadded(url: string, names: string[], label: string, pad: number, parallel: number): Promise<void> {
  const annotations = { pad: 'x'.repeat(pad) };
  for (let i = 0; i < names.length; i += parallel) {
    const batch = names.slice(i, i + parallel).map((name) => {
      const p = pod(name, { labels: { [label]: 'y' } });
      return call(url, 'POST', P, { ...p, metadata: { ...p.metadata, annotations } });
    });
    for (const r of await Promise.all(batch)) assert.equal(r.status, 201, r.text);
  }
}

/** A chunked HTTP watch whose reader is paused from the first byte; `resume` reads the rest. */
function pausedWatch(query: string) {
  const events: Ev[] = [];
  let ending: 'end' | 'aborted' | undefined;
  const res = new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.get(`${srv.url}${P}?${query}`, (r) => { r.pause(); resolve(r); });
    req.on('error', reject);
  });
  const resume = async () => {
    const r = await res;
    let buf = '';
    r.setEncoding('utf8');
    r.on('data', (chunk: string) => {
      buf += chunk;
      for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) if (buf.slice(0, i).trim()) events.push(JSON.parse(buf.slice(0, i)));
    });
    r.on('end', () => { ending ??= 'end'; });
    r.on('aborted', () => { ending = 'aborted'; });
    r.on('error', () => { ending = 'aborted'; });
    r.resume();
  };
  return { res, events, resume, ending: () => ending, stop: async () => (await res).destroy() };
}

const names = (events: Ev[]) => events.map((e) => e.object.metadata.name);
const increasingRevisions = (events: Ev[]) => events.every((e, i) => i === 0 || Number(e.object.metadata.resourceVersion) > Number(events[i - 1].object.metadata.resourceVersion));
async function openWatches(): Promise<number> {
  const text = (await call(srv.url, 'GET', '/metrics')).text;
  return Number(/^podling_watches (\d+)$/m.exec(text)![1]);
}

/** Opens a paused watch, creates a pod with `label` while it is paused, then reads: `count` + 1 events (`count`
 *  before the create), the stream still open. */
async function pausedThroughCreate(t: TestContext, query: string, name: string, count = COUNT, label = 'bulk'): Promise<{ events: Ev[]; created: Res }> {
  const w = pausedWatch(query);
  t.after(w.stop);
  assert.equal((await w.res).statusCode, 200);
  const created = await call(srv.url, 'POST', P, pod(name, { labels: { [label]: 'y' } }));
  assert.equal(created.status, 201);
  await w.resume();
  await waitFor(() => w.events.length > count || w.ending(), { timeoutMs: 30_000, message: `events: ${w.events.length}` });
  assert.equal(w.ending(), undefined, 'the watch is still open');
  assert.deepEqual(w.events.map((e) => e.type), [...Array(count + 1).fill('ADDED')]);
  t.after(async () => { assert.equal((await call(srv.url, 'DELETE', `${P}/${name}`)).status, 200); });
  return { events: w.events, created };
}

test('a watch resumed thousands of changes back gets them as the reader takes them, then a change made meanwhile', async (t) => {
  const { events } = await pausedThroughCreate(t, `watch=true&labelSelector=bulk&resourceVersion=${beforeBulk}`, 'bulk-resumed');
  // Changes come in revision order (concurrent creates commit in any order of names).
  assert.ok(increasingRevisions(events), 'in revision order');
  assert.deepEqual(names(events.slice(0, COUNT)).sort(), bulkNames);
  assert.equal(events[COUNT].object.metadata.name, 'bulk-resumed');
});

test('a reader that pauses during a large initial state gets all of it, then what was committed meanwhile', async (t) => {
  const { events, created } = await pausedThroughCreate(t, 'watch=true&labelSelector=bulk', 'bulk-after');
  assert.deepEqual(names(events), [...bulkNames, 'bulk-after']);
  assert.equal(events[COUNT].object.metadata.resourceVersion, created.body.metadata.resourceVersion);
});

test('a watch that times out during its initial state ends cleanly, with no bookmark for a state it did not finish', async (t) => {
  const others = await openWatches(); // the apiserver's own (its housekeeping watches through its API)
  const w = pausedWatch('watch=true&labelSelector=bulk&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1');
  t.after(w.stop);
  assert.equal((await w.res).statusCode, 200);
  // The server ends the watch at its timeout while the reader is still paused (it was registered before the
  // response's headers were sent).
  await waitFor(async () => (await openWatches()) === others, { timeoutMs: 10_000, message: 'the watch ended at its timeout' });
  await w.resume();
  await waitFor(() => w.ending(), { timeoutMs: 30_000, message: 'the stream ended' });
  assert.equal(w.ending(), 'end', 'a clean end of the chunked stream, not a cut connection');
  assert.ok(w.events.length > 0 && w.events.length < COUNT, `part of the state was sent: ${w.events.length}`);
  assert.deepEqual(w.events.map((e) => e.type), [...Array(w.events.length).fill('ADDED')], 'no BOOKMARK');
  assert.deepEqual(names(w.events), bulkNames.slice(0, w.events.length));
});

test('over a websocket too, a paused reader gets the whole initial state and then the changes', async (t) => {
  const w = wsWatch(srv.url, `${P}?watch=true&labelSelector=bulk`);
  t.after(() => w.stop());
  await w.opened;
  w.socket.pause();
  const created = await call(srv.url, 'POST', P, pod('bulk-ws', { labels: { bulk: 'y' } }));
  assert.equal(created.status, 201);
  w.socket.resume();
  await waitFor(() => w.log.events.length > COUNT || w.log.ended, { timeoutMs: 30_000, message: `events: ${w.log.events.length}` });
  assert.equal(w.log.ended, false, 'the watch is still open');
  assert.deepEqual(names(w.log.events), [...bulkNames, 'bulk-ws']);
  assert.equal(w.log.events[COUNT].type, 'ADDED');
});

test('a resumed watch whose reader falls behind the window while it catches up gets 410 Expired and ends', async (t) => {
  const w = pausedWatch(`watch=true&labelSelector=bulk&resourceVersion=${beforeBulk}`);
  t.after(w.stop);
  assert.equal((await w.res).statusCode, 200);
  // Commits made while the reader is paused wait behind the catch-up, until the window no longer holds them.
  for (let i = 0; i < HISTORY + 100; i += 50) {
    const batch = Array.from({ length: 50 }, (_, j) => call(srv.url, 'POST', P, pod(`other-${i + j}`)));
    for (const r of await Promise.all(batch)) assert.equal(r.status, 201, r.text);
  }
  await w.resume();
  await waitFor(() => w.ending(), { timeoutMs: 30_000, message: `the stream ended; events: ${w.events.length}` });
  assert.equal(w.ending(), 'end', 'a clean end of the chunked stream');
  const last = w.events.at(-1)!;
  assert.equal(last.type, 'ERROR');
  assert.equal(last.object.code, 410);
  assert.equal(last.object.reason, 'Expired');
  const before = w.events.slice(0, -1);
  assert.ok(before.length < COUNT, `part of the catch-up was sent first: ${before.length}`);
  assert.ok(before.every((e) => e.type === 'ADDED' && bulkNames.includes(e.object.metadata.name)) && increasingRevisions(before));
});

test('fewer objects than a page but many megabytes go out as the reader takes them too, as a catch-up or a state', async (t) => {
  // 120 pods of 200 KB: one page by count, 24 MB in all. Written at once, the next event found the reader over the
  // bound and cut it off.
  const big = Array.from({ length: 120 }, (_, i) => `big-${String(i).padStart(3, '0')}`);
  const before = (await call(srv.url, 'GET', P)).body.metadata.resourceVersion;
  await createPadded(srv.url, big, 'big', 200_000, 20);
  const resumed = await pausedThroughCreate(t, `watch=true&labelSelector=big&resourceVersion=${before}`, 'big-resumed', big.length, 'big');
  assert.ok(increasingRevisions(resumed.events), 'in revision order');
  assert.deepEqual(names(resumed.events.slice(0, -1)).sort(), big);
  assert.equal(resumed.events.at(-1)!.object.metadata.name, 'big-resumed');
  const state = await pausedThroughCreate(t, 'watch=true&labelSelector=big', 'big-after', big.length + 1, 'big');
  assert.deepEqual(names(state.events), [...big, 'big-resumed', 'big-after']);
});
