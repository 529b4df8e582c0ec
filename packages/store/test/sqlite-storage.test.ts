// The SQLite backend: the storage contract on temp files, plus what only this backend promises — group commit,
// durability of acknowledged writes across kill -9, and a log that survives pruning.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { waitFor } from '@podling/testkit';
import { openSqliteStorage, type SqliteStorageOptions, type Storage } from '../src/index.ts';
import { runStorageContract } from './storage-contract.ts';
import { annotate, createMany, plain, pod, podKey, record, rejectsWith, sameVersion } from './contract/harness.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const fixture = path.join(here, 'fixtures/create-loop.ts');

function tempStore(opts: Partial<SqliteStorageOptions> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'podling-store-'));
  const full: SqliteStorageOptions = { path: path.join(dir, 'state.db'), historyLimit: 1500, ...opts };
  return {
    options: full,
    storage: openSqliteStorage(full),
    reopen: async () => openSqliteStorage(full),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

runStorageContract('sqlite (FULL)', async () => tempStore());
runStorageContract('sqlite (NORMAL)', async () => tempStore({ synchronous: 'NORMAL' }));
// Every object read from the log when asked for (apiservers do this for events): the same promises.
runStorageContract('sqlite (objects read from the log)', async () => tempStore({ uncachedResources: ['pods', 'nodes', 'leases'] }));
// Nothing to reopen, so the restart part of the contract does not apply.
runStorageContract('sqlite (:memory:)', async () => ({
  storage: openSqliteStorage({ path: ':memory:', historyLimit: 1500 }),
  cleanup: () => {},
}), { durable: false });

const dbPathOf = (store: { options: SqliteStorageOptions }) => store.options.path;

describe('sqlite storage', () => {
  test('writes issued in one event-loop turn commit in one transaction', async () => {
    const { storage, cleanup } = tempStore();
    try {
      const before = storage.stats();
      const created = await createMany(storage, 'ns', 'p', 300);
      const after = storage.stats();
      assert.equal(after.commits - before.commits, 1);
      assert.equal(after.writes - before.writes, 300);
      assert.equal(after.maxBatch, 300);
      assert.deepEqual(created.map((o) => o.rv), created.map((_, i) => created[0].rv + i), 'revisions in call order');
    } finally {
      await storage.close();
      cleanup();
    }
  });

  test('reads see committed state only: a write in flight is invisible until its promise resolves', async () => {
    const { storage, cleanup } = tempStore();
    try {
      const watcher = record(storage, { resource: 'pods', fromRv: 0 });
      const p = storage.create(podKey('ns', 'a'), pod('ns', 'a'));
      assert.equal(storage.get(podKey('ns', 'a')), undefined);
      assert.equal(storage.list('pods').items.length, 0);
      assert.equal(storage.currentRevision(), 0);
      assert.equal(watcher.changes.length, 0);
      const stored = await p;
      sameVersion(storage.get(podKey('ns', 'a')), stored);
      assert.equal(watcher.changes.length, 1);
      watcher.stop();
    } finally {
      await storage.close();
      cleanup();
    }
  });

  test('a failed transaction rejects every write of its batch and changes nothing', async () => {
    const store = tempStore();
    let storage = store.storage;
    try {
      const a = await storage.create(podKey('ns', 'a'), pod('ns', 'a'));
      const b = await storage.create(podKey('ns', 'b'), pod('ns', 'b'));
      const watcher = record(storage, { resource: 'pods', fromRv: storage.currentRevision() });
      // Fault injection: cap the file at its current size so the next commit fails with SQLITE_FULL.
      const db = (storage as unknown as { journal: { db: Database.Database } }).journal.db;
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
      const big = { ...pod('ns', 'big'), payload: 'x'.repeat(1 << 20) };
      const batch = [
        storage.create(podKey('ns', 'big'), big),
        storage.guaranteedUpdate(podKey('ns', 'a'), (cur) => annotate(cur.object, 'k', 'v')),
        storage.delete(podKey('ns', 'b')),
        storage.guaranteedUpdate(podKey('ns', 'a'), () => null), // waits on the pending update of a
      ];
      for (const p of batch) await rejectsWith(p, 'Unavailable');
      assert.equal(storage.stats().failedCommits, 1);
      assert.equal(storage.currentRevision(), b.rv);
      assert.deepEqual(storage.list('pods').items, [a, b]);
      assert.equal(watcher.changes.length, 0);

      db.pragma('max_page_count = 1073741823');
      const c = await storage.create(podKey('ns', 'c'), pod('ns', 'c'));
      assert.ok(c.rv > b.rv + batch.length - 1, 'revisions of the failed batch are not reused');
      assert.deepEqual(watcher.changes.map((ch) => ch.rv), [c.rv]);
      await storage.close();
      storage = await store.reopen();
      assert.deepEqual(storage.list('pods').items, [a, b, c]);
    } finally {
      await storage.close();
      store.cleanup();
    }
  });

  test('a second process cannot open a database in use', async () => {
    const store = tempStore();
    try {
      await store.storage.create(podKey('ns', 'a'), pod('ns', 'a'));
      const child = spawnSync(process.execPath, ['-e', `
        const Database = require('better-sqlite3');
        try { new Database(process.argv[1], { timeout: 100 }).prepare('SELECT count(*) FROM changes').get(); console.log('opened'); }
        catch (e) { console.log(e.code); }`, dbPathOf(store)], { encoding: 'utf8', cwd: repoRoot });
      assert.equal(child.stdout.trim(), 'SQLITE_BUSY');
    } finally {
      await store.storage.close();
      store.cleanup();
    }
  });

  test('continue tokens survive a restart after the states they need were pruned from the log', async () => {
    // History of 5. The snapshot at rv 4 needs b@4 and c@3, whose own change rows are pruned by the end: b@4 is
    // pruned after b's delete (5) was written (prune-time copy), c@3 before c's update (8) is written (write-time copy).
    const store = tempStore({ historyLimit: 5 });
    let storage = store.storage;
    try {
      for (const n of ['a', 'b', 'c']) await storage.create(podKey('ns', n), pod('ns', n)); // 1, 2, 3
      const first = storage.list('pods', { limit: 1 });
      await storage.guaranteedUpdate(podKey('ns', 'b'), (cur) => annotate(cur.object, 'k', '1')); // 4
      const snapshot = plain(storage.list('pods').items);
      const second = storage.list('pods', { limit: 1 });
      const secondItems = plain(second.items);
      assert.deepEqual([first.rv, second.rv], [3, 4]);
      await storage.delete(podKey('ns', 'b')); // 5
      for (let i = 0; i < 2; i++) await storage.create(podKey('other', `x${i}`), pod('other', `x${i}`)); // 6, 7
      await storage.guaranteedUpdate(podKey('ns', 'c'), (cur) => annotate(cur.object, 'k', '2')); // 8
      await storage.create(podKey('other', 'x2'), pod('other', 'x2')); // 9
      assert.equal(storage.oldestRevision(), 5);
      await storage.close();
      storage = await store.reopen();
      await rejectsWith(() => storage.list('pods', { continue: first.continue }), 'Expired');
      const rest = storage.list('pods', { continue: second.continue, namespace: 'ns' });
      assert.deepEqual(plain([...secondItems, ...rest.items]), snapshot);
    } finally {
      await storage.close();
      store.cleanup();
    }
  });

  test('a smaller historyLimit on reopen prunes the log and moves oldestRevision', async () => {
    const store = tempStore({ historyLimit: 1000 });
    let storage = store.storage;
    try {
      await createMany(storage, 'ns', 'p', 100);
      assert.equal(storage.oldestRevision(), 1);
      await storage.close();
      storage = openSqliteStorage({ path: dbPathOf(store), historyLimit: 10 });
      assert.equal(storage.currentRevision(), 100);
      assert.equal(storage.oldestRevision(), 91);
      assert.equal(storage.list('pods').items.length, 100);
      assert.equal(record(storage, { resource: 'pods', fromRv: 90 }).changes.length, 10);
    } finally {
      await storage.close();
      store.cleanup();
    }
  });

  test('every acknowledged write survives kill -9, and revisions keep increasing after reopen', async () => {
    const store = tempStore();
    await store.storage.close();
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dbPathOf(store), '20'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let storage: Storage | undefined;
    try {
      await waitFor(() => out.split('\n').length > 1500 || child.exitCode !== null, { timeoutMs: 30_000, message: 'child acknowledged 1500 creates' });
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL', `child ended on its own:\n${err}`);
      const lines = out.split('\n').slice(1, -1); // drop 'ready' and a partial last line
      const acked = lines.map((l) => l.split(' ')).map(([name, rv]) => ({ name, rv: Number(rv) }));
      assert.ok(acked.length >= 1500);

      storage = openSqliteStorage({ path: dbPathOf(store) });
      const maxAcked = Math.max(...acked.map((a) => a.rv));
      assert.ok(storage.currentRevision() >= maxAcked);
      const missing = acked.filter((a) => storage!.get(podKey('crash', a.name))?.rv !== a.rv);
      assert.deepEqual(missing, [], 'acknowledged writes lost');
      const after = await storage.create(podKey('crash', 'after'), pod('crash', 'after'));
      assert.ok(after.rv > storage.list('pods').items.filter((o) => o.object.metadata.name !== 'after').reduce((m, o) => Math.max(m, o.rv), 0));
    } catch (e) {
      process.stderr.write(`child stderr:\n${err}\n`);
      throw e;
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await storage?.close();
      store.cleanup();
    }
  });
});
