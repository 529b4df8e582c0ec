// Durable mode syncs the WAL off the event loop: a committed batch is published only after its sync, writes that
// arrive meanwhile see its pending state and form the next batch, and a failed sync stops all writes. The sync is
// held and released by hand (the journal's syncWal is swapped), so each in-between state is observed, not raced.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openSqliteStorage, type SqliteStorage } from '../src/index.ts';
import { annotate, pod, podKey, record, rejectsWith } from './contract/harness.ts';

interface HeldSync { calls: number; release(err?: Error): void; waiting(): boolean }

/** Replaces the journal's WAL sync by one that waits for release(); the real sync still runs before success. */
function holdSyncs(storage: SqliteStorage): HeldSync {
  const journal = (storage as unknown as { journal: { syncWal(done: (e: Error | null) => void): void } }).journal;
  const real = journal.syncWal.bind(journal);
  let pending: ((e: Error | null) => void) | undefined;
  const held: HeldSync = {
    calls: 0,
    waiting: () => pending !== undefined,
    release(err) {
      const done = pending!;
      pending = undefined;
      if (err) done(err);
      else real(done);
    },
  };
  journal.syncWal = (done) => { held.calls++; pending = done; };
  return held;
}

const turn = () => new Promise((r) => setImmediate(r));

/** Real syncs run on the thread pool and take as long as the disk does. */
async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await turn();
  assert.ok(cond(), 'condition not reached in time');
}

function temp() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'podling-sync-'));
  return { storage: openSqliteStorage({ path: path.join(dir, 'state.db') }), file: path.join(dir, 'state.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a batch waiting for its sync is invisible to reads but binding for writes; later writes form the next batch', async () => {
  const { storage, file, cleanup } = temp();
  try {
    const sync = holdSyncs(storage);
    const watcher = record(storage, { resource: 'pods', fromRv: 0 });
    const created = storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    await until(sync.waiting);
    assert.equal(storage.get(podKey('ns', 'a')), undefined, 'not durable yet, so not visible');
    assert.equal(watcher.changes.length, 0);
    await rejectsWith(storage.create(podKey('ns', 'a'), pod('ns', 'a')), 'KeyExists');
    const updated = storage.guaranteedUpdate(podKey('ns', 'a'), (c) => annotate(c.object, 'k', 'v'));
    await turn();
    assert.equal(sync.calls, 1, 'the second batch waits for the first sync');
    sync.release();
    const a = await created;
    await until(sync.waiting);
    assert.deepEqual(storage.get(podKey('ns', 'a')), a);
    sync.release();
    const b = await updated;
    assert.equal(b.object.metadata.annotations?.k, 'v');
    assert.deepEqual(watcher.changes.map((c) => [c.type, c.rv]), [['ADDED', a.rv], ['MODIFIED', b.rv]]);
    assert.deepEqual(storage.stats(), { commits: 2, writes: 2, maxBatch: 1, failedCommits: 0 });
    watcher.stop();
    await storage.close();
    const again = openSqliteStorage({ path: file });
    assert.deepEqual(again.get(podKey('ns', 'a')), b);
    await again.close();
  } finally {
    await storage.close();
    cleanup();
  }
});

test('a failed sync rejects its batch and everything queued behind it, then refuses writes; reads keep serving', async () => {
  const { storage, cleanup } = temp();
  try {
    const before = await storage.create(podKey('ns', 'old'), pod('ns', 'old'));
    const sync = holdSyncs(storage);
    const first = storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    await until(sync.waiting);
    const queued = storage.create(podKey('ns', 'b'), pod('ns', 'b'));
    sync.release(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await rejectsWith(first, 'Unavailable');
    await rejectsWith(queued, 'Unavailable');
    await assert.rejects(storage.create(podKey('ns', 'c'), pod('ns', 'c')), /storage failed: EIO/);
    assert.deepEqual(storage.list('pods').items, [before]);
    assert.equal(storage.stats().failedCommits, 1);
  } finally {
    await storage.close();
    cleanup();
  }
});

test('close waits for the sync in flight and stores what queued behind it', async () => {
  const { storage, file, cleanup } = temp();
  try {
    const sync = holdSyncs(storage);
    const first = storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    await until(sync.waiting);
    const second = storage.create(podKey('ns', 'b'), pod('ns', 'b'));
    const closed = storage.close();
    sync.release();
    await until(sync.waiting); // the second batch, flushed when the first sync returned
    sync.release();
    await closed;
    const [a, b] = await Promise.all([first, second]);
    const again = openSqliteStorage({ path: file });
    assert.deepEqual(again.list('pods').items, [a, b]);
    await again.close();
  } finally {
    cleanup();
  }
});

test('an object read from the log stays readable while a held commit has removed the row of its published state', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'podling-sync-'));
  // A window of two changes: two writes after an object's last one leave its state older than the window, and the
  // commit that replaces or deletes it then removes that state's row.
  const storage = openSqliteStorage({ path: path.join(dir, 'state.db'), historyLimit: 2, uncachedResources: ['pods'] });
  const db = (storage as unknown as { journal: { db: { prepare(sql: string): { pluck(): { get(rv: number): number } } } } }).journal.db;
  const rowCount = db.prepare('SELECT count(*) FROM changes WHERE rv = ?').pluck();
  const sync = holdSyncs(storage);
  const durably = async <T>(p: Promise<T>): Promise<T> => {
    await until(sync.waiting);
    sync.release();
    return p;
  };
  const twoMore = async (name: string) => {
    for (const n of [`${name}1`, `${name}2`]) await durably(storage.create(podKey('ns', n), pod('ns', n)));
  };
  try {
    const a = await durably(storage.create(podKey('ns', 'a'), pod('ns', 'a')));
    await twoMore('b');
    assert.ok(storage.oldestRevision() > a.rv, 'a is older than the window');

    const updated = storage.guaranteedUpdate(podKey('ns', 'a'), (cur) => annotate(cur.object, 'k', 'v'));
    await until(sync.waiting);
    assert.equal(rowCount.get(a.rv), 0, 'the commit waiting for its sync removed the row of a\'s published state');
    assert.deepEqual(storage.get(podKey('ns', 'a')), a);
    assert.deepEqual(storage.list('pods').items[0], a);
    sync.release();
    const a2 = await updated;
    assert.deepEqual(storage.get(podKey('ns', 'a')), a2);
    assert.equal(storage.get(podKey('ns', 'a'))?.object.metadata.annotations?.k, 'v');

    await twoMore('c');
    const deleted = storage.delete(podKey('ns', 'a'));
    await until(sync.waiting);
    assert.equal(rowCount.get(a2.rv), 0);
    assert.deepEqual(storage.get(podKey('ns', 'a')), a2, 'a delete in flight is invisible too');
    sync.release();
    await deleted;
    assert.equal(storage.get(podKey('ns', 'a')), undefined);
    assert.deepEqual(storage.list('pods').items.map((o) => o.object.metadata.name), ['b1', 'b2', 'c1', 'c2']);
  } finally {
    if (sync.waiting()) sync.release();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
