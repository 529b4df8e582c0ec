// Issue 14.10, the acceptance line: 20,000 connections trickling bodies exhausted the apiserver's descriptors even
// with tokens on (each got its 401 and stayed open), and 300 unfinished 3 MB bodies held 0.9 GB that was never
// returned. Here 2,000 clients trickle bodies at a tokened apiserver — half without a token, half as an admin
// declaring 3 MB and sending 512 KB of it — while an admin works normally. Every answer must take under a second,
// the apiserver's memory (VmRSS from /proc) must stay bounded, every slow connection must be ended by the server,
// and memory and descriptors must come back to their baseline; a watch older than the read timeout keeps going.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { makeTempDir, MiB, rssBytes, startApiserver, waitFor, type RunningApiserver } from '@podling/testkit';
import { call, pod } from './http-helpers.ts';
import { openFds, openUploads, trickle, type SlowUpload } from './slow-client.ts';
import { httpWatch } from './watch-reader.ts';

const ADMIN = 'admin-token';
const CLIENTS = 1000; // of each kind
const BUDGET = 16 * 1024 * 1024;
const READ_TIMEOUT_MS = 4000;
let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
const uploads: SlowUpload[] = [];

before(async () => {
  tmp = makeTempDir('podling-slow-');
  const tokens = path.join(tmp.dir, 'tokens.csv');
  writeFileSync(tokens, `${ADMIN},admin,1,"system:masters"\n`);
  srv = await startApiserver({
    dbPath: path.join(tmp.dir, 'podling.db'),
    args: ['--controllers', 'none', '--token-auth-file', tokens, '--request-header-timeout', '2s',
      '--request-read-timeout', `${READ_TIMEOUT_MS}ms`, '--max-request-bytes-inflight', String(BUDGET)],
  });
});
after(async () => {
  for (const u of uploads) u.destroy();
  await srv?.stop();
  tmp?.remove();
});

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  assert.ok(ms < 1000, `${what} took ${Math.round(ms)} ms`);
  return r;
}

test('issue 14.10: an admin is served within 1 s while 2,000 clients trickle bodies; memory stays bounded and returns to baseline once the server has ended them', async (t) => {
  const admin = { token: ADMIN };
  const pid = srv.process.pid;
  const watch = httpWatch(srv.url, '/api/v1/namespaces/default/pods?watch=true', { authorization: `Bearer ${ADMIN}` });
  assert.equal(await watch.status, 200);
  const watchStarted = Date.now();
  let uploadsFrom = 0;
  let uploadsFor = 0;
  try {
    for (let i = 0; i < 20; i++) assert.equal((await call(srv.url, 'POST', '/api/v1/namespaces/default/pods', pod(`warm-${i}`), admin)).status, 201);
    assert.equal((await call(srv.url, 'GET', '/api/v1/namespaces/default/pods', undefined, admin)).status, 200);
    const baseline = { rss: rssBytes(pid)!, fds: openFds(pid) };
    let peak = baseline.rss;
    const sampler = setInterval(() => { peak = Math.max(peak, rssBytes(pid)!); }, 50);
    try {
      const path = '/api/v1/namespaces/default/pods';
      uploadsFrom = Date.now();
      uploads.push(...await openUploads(srv.url, CLIENTS, { path, contentLength: 3_000_000, first: '{"apiVersion":"v1",' }));
      uploads.push(...await openUploads(srv.url, CLIENTS, { path, token: ADMIN, contentLength: 3_000_000, first: Buffer.alloc(512 * 1024, ' ') }));
      const drip = trickle(uploads, 200);
      try {
        await timed('an admin list', () => call(srv.url, 'GET', path, undefined, admin)).then((r) => assert.equal(r.status, 200));
        await timed('an admin create', () => call(srv.url, 'POST', path, pod('during'), admin)).then((r) => assert.equal(r.status, 201, r.text));
        assert.ok(peak - baseline.rss < 150 * MiB, `with every upload open, RSS grew by ${Math.round((peak - baseline.rss) / MiB)} MiB`);
        await waitFor(() => uploads.every((u) => u.closedBy() !== undefined), {
          timeoutMs: READ_TIMEOUT_MS + 10_000,
          message: `the server ends every slow upload; still open: ${uploads.filter((u) => u.closedBy() === undefined).length}`,
        });
        uploadsFor = Date.now() - uploadsFrom;
      } finally {
        drip.stop();
      }
    } finally {
      clearInterval(sampler);
    }
    const answers = (from: number) => {
      const counts: Record<string, number> = {};
      for (const u of uploads.slice(from, from + CLIENTS)) counts[String(u.answer()?.status)] = (counts[String(u.answer()?.status)] ?? 0) + 1;
      return counts;
    };
    t.diagnostic(`answers without a token ${JSON.stringify(answers(0))}, as admin ${JSON.stringify(answers(CLIENTS))}; RSS baseline ${Math.round(baseline.rss / MiB)} MiB, peak +${Math.round((peak - baseline.rss) / MiB)} MiB`);
    assert.deepEqual(answers(0), { 401: CLIENTS }, 'no token: 401, and the connection closed');
    const adminAnswers = answers(CLIENTS);
    assert.equal((adminAnswers[429] ?? 0) + (adminAnswers[408] ?? 0), CLIENTS, `admin uploads: refused (429) or timed out (408): ${JSON.stringify(adminAnswers)}`);
    // An admitted upload holds its share of the budget until it times out (408), then frees it for the next: in
    // each read-timeout window only what fits the budget is read. (A loaded machine takes several windows to open
    // the 2,000 uploads, so the total is bounded per window, not once.)
    const windows = Math.ceil(uploadsFor / READ_TIMEOUT_MS);
    assert.ok((adminAnswers[408] ?? 0) <= Math.floor((BUDGET * 3) / 4 / 3_000_000) * windows,
      `only what fits the byte budget was read in each of the ${windows} read-timeout windows: ${JSON.stringify(adminAnswers)}`);
    assert.ok(uploads.every((u) => u.closedBy() === 'server'));
    assert.ok(peak - baseline.rss < 150 * MiB, `RSS grew by ${Math.round((peak - baseline.rss) / MiB)} MiB (baseline ${Math.round(baseline.rss / MiB)} MiB)`);
    // The defect held 0.9 GB that never came back. V8 and malloc keep part of what was freed (how much varies with
    // the heap's layout: +71 MiB stayed after a +71 MiB peak in one run), so "back" means within 96 MiB.
    await waitFor(() => rssBytes(pid)! - baseline.rss < 96 * MiB && openFds(pid) <= baseline.fds + 5, {
      timeoutMs: 10_000,
      message: `memory and descriptors return to baseline: RSS +${Math.round((rssBytes(pid)! - baseline.rss) / MiB)} MiB, fds ${openFds(pid)} vs ${baseline.fds}`,
    });

    // Only the request phase is timed: a watch older than the read timeout still streams.
    assert.ok(Date.now() - watchStarted > READ_TIMEOUT_MS);
    assert.equal((await call(srv.url, 'POST', '/api/v1/namespaces/default/pods', pod('after'), admin)).status, 201);
    await watch.log.waitFor((e) => e.type === 'ADDED' && e.object.metadata.name === 'after');
  } finally {
    watch.stop();
  }
});
