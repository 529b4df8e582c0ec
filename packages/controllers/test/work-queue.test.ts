// The work queue's guarantees (client-go util/workqueue): a queued key is there once; a key is never handed to
// two workers at once, and one added while processed comes back after done(); retries back off exponentially
// from 5 ms per key, and forget() starts the back-off over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@podling/testkit';
import { ControllerRateLimiter } from '../src/rate-limiter.ts';
import { runWorkers, WorkQueue } from '../src/work-queue.ts';

test('a key added many times while waiting is handed out once', async () => {
  const q = new WorkQueue();
  for (let i = 0; i < 5; i++) q.add('a');
  q.add('b');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
});

test('a key added while a worker processes it is queued again only after done()', async () => {
  const q = new WorkQueue();
  q.add('a');
  const key = await q.get();
  q.add('a');
  assert.equal(q.length, 0, 'not handed to a second worker meanwhile');
  q.done(key!);
  assert.equal(q.length, 1);
});

test('two workers never sync the same key at the same time', async () => {
  const q = new WorkQueue();
  let inFlight = 0, maxInFlight = 0, syncs = 0;
  const workers = runWorkers(q, 4, async () => {
    inFlight++; maxInFlight = Math.max(maxInFlight, inFlight); syncs++;
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
  }, () => {});
  for (let i = 0; i < 10; i++) { q.add('same'); await new Promise((r) => setTimeout(r, 2)); }
  await waitFor(() => inFlight === 0 && q.length === 0, { timeoutMs: 2000, message: 'queue drained' });
  q.shutDown();
  await workers;
  assert.equal(maxInFlight, 1);
  assert.ok(syncs >= 2 && syncs <= 10);
});

test('per-key back-off doubles from 5 ms and forget() resets it; the overall bucket allows a burst of 100', () => {
  let now = 0;
  const rl = new ControllerRateLimiter(5, 1_000_000, 10, 100, () => now);
  assert.deepEqual([rl.when('a'), rl.when('a'), rl.when('a'), rl.when('a')], [5, 10, 20, 40]);
  assert.equal(rl.retries('a'), 4);
  rl.forget('a');
  assert.equal(rl.when('a'), 5);
  for (let i = 0; i < 95; i++) rl.when(`k${i}`);
  // 100 tokens spent: the next retry of a fresh key waits for the bucket (10/s), not its own 5 ms.
  assert.equal(rl.when('fresh'), 100);
  now += 1000;
  assert.equal(rl.when('fresh2'), 5);
});

test('a failing sync is retried with back-off; a successful one is forgotten', async () => {
  const q = new WorkQueue();
  let attempts = 0;
  const errors: unknown[] = [];
  const workers = runWorkers(q, 1, async () => { if (++attempts < 3) throw new Error('boom'); }, (_k, e) => errors.push(e));
  q.add('x');
  await waitFor(() => attempts === 3 && q.retries('x') === 0, { timeoutMs: 2000, message: 'third attempt succeeded' });
  q.shutDown();
  await workers;
  assert.equal(attempts, 3);
  assert.equal(errors.length, 2);
  assert.equal(q.retries('x'), 0);
});

test('issue 14.7 sibling: a key scheduled beyond setTimeout\'s range waits instead of coming back at once', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  try {
    const q = new WorkQueue();
    q.addAfter('far', 1e25);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings.filter((n) => n === 'TimeoutOverflowWarning'), []);
    assert.equal(q.length, 0);
    q.shutDown();
  } finally { process.off('warning', onWarning); }
});
