// The on-disk log (schema v2): each change is one row, kept while the watch window needs it or while it is its
// object's current state. Random writes with a tiny history limit, reopened again and again, must rebuild exactly
// what was in memory, and the table must hold nothing else. Plus the migration from v1 (objects + changes tables).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStorage, type SqliteStorage } from '../src/index.ts';
import { annotate, plain, pod, podKey, record } from './contract/harness.ts';

function tempDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'podling-log-'));
  return { db: path.join(dir, 'state.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function readOnly<T>(file: string, read: (db: Database.Database) => T): T {
  const d = new Database(file, { readonly: true });
  try { return read(d); } finally { d.close(); }
}

/** A small deterministic PRNG, so a failure replays. */
function prng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

function snapshot(s: SqliteStorage) {
  const replay = record(s, { resource: 'pods', fromRv: s.oldestRevision() - 1 });
  replay.stop();
  return plain({ rv: s.currentRevision(), oldest: s.oldestRevision(), items: s.list('pods').items, window: replay.changes });
}

test('random writes with a tiny history limit: every reopen rebuilds objects and window, and the log holds only what they need', async () => {
  const { db, cleanup } = tempDir();
  const rand = prng(7);
  const limit = 5;
  let s = openSqliteStorage({ path: db, historyLimit: limit });
  try {
    for (let round = 0; round < 12; round++) {
      for (let turn = 0; turn < 6; turn++) {
        // Writes issued in one turn share a commit; up to 9 of them, so some batches outgrow the window itself.
        const ops: Promise<unknown>[] = [];
        const n = 1 + Math.floor(rand() * 9);
        for (let i = 0; i < n; i++) {
          const name = `p-${Math.floor(rand() * 8)}`;
          const key = podKey('ns', name);
          const r = rand();
          const exists = s.get(key) !== undefined;
          if (!exists && r < 0.6) ops.push(s.create(key, pod('ns', name)).catch(() => {}));
          else if (r < 0.7) ops.push(s.delete(key).catch(() => {}));
          else ops.push(s.guaranteedUpdate(key, (c) => annotate(c.object, 'n', String(round * 100 + turn * 10 + i))).catch(() => {}));
        }
        await Promise.all(ops);
      }
      const before = snapshot(s);
      await s.close();

      const rows = readOnly(db, (d) => d.prepare('SELECT rv FROM changes ORDER BY rv').pluck().all() as number[]);
      const needed = new Set([...before.items.map((o) => o.rv), ...before.window.map((c) => c.rv)]);
      assert.deepEqual(rows, [...needed].sort((a, b) => a - b), `round ${round}: the log holds exactly the live states and the window`);

      s = openSqliteStorage({ path: db, historyLimit: limit });
      assert.deepEqual(snapshot(s), before, `round ${round}: reopen rebuilds the same state`);
    }
  } finally {
    await s.close();
    cleanup();
  }
});

test('a v1 database (objects table + changes) migrates: objects, window and previous states survive', async () => {
  const { db, cleanup } = tempDir();
  const json = (name: string, rv: number, note?: string) => JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', resourceVersion: String(rv), ...(note ? { annotations: { note } } : {}) },
  });
  const v1 = new Database(db);
  v1.exec(`
    CREATE TABLE objects (id INTEGER PRIMARY KEY, resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
      rv INTEGER NOT NULL, value TEXT NOT NULL, UNIQUE (resource, namespace, name));
    CREATE TABLE changes (rv INTEGER PRIMARY KEY, resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
      type TEXT NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')), value TEXT NOT NULL, prev_rv INTEGER, prev_value TEXT);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    PRAGMA user_version = 1;`);
  // History: a@1, b@2 created (pruned: compacted_rv 3, c@3 deleted later), a modified @4 (window), b deleted @5.
  const obj = v1.prepare('INSERT INTO objects (resource, namespace, name, rv, value) VALUES (?, ?, ?, ?, ?)');
  const chg = v1.prepare('INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  v1.prepare(`INSERT INTO meta VALUES ('compacted_rv', 3)`).run();
  obj.run('pods', 'ns', 'a', 4, json('a', 4, 'x'));
  obj.run('pods', 'ns', 'z', 1, json('z', 1));
  chg.run(4, 'pods', 'ns', 'a', 'MODIFIED', json('a', 4, 'x'), 2, json('a', 2));
  chg.run(5, 'pods', 'ns', 'b', 'DELETED', json('b', 5), 3, json('b', 3));
  v1.close();

  const s = openSqliteStorage({ path: db, historyLimit: 100 });
  try {
    assert.equal(s.currentRevision(), 5);
    assert.deepEqual(s.list('pods').items.map((o) => [o.object.metadata.name, o.object.metadata.resourceVersion]), [['a', '4'], ['z', '1']]);
    const w = record(s, { resource: 'pods', fromRv: 3 });
    assert.deepEqual(w.changes.map((c) => [c.type, c.key.name, c.previous?.rv]), [['MODIFIED', 'a', 2], ['DELETED', 'b', 3]]);
    w.stop();
    await s.guaranteedUpdate(podKey('ns', 'z'), (c) => annotate(c.object, 'k', 'v'));
  } finally {
    await s.close();
  }
  const tables = readOnly(db, (d) => d.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all());
  assert.deepEqual(tables, ['changes', 'meta']);
  const again = openSqliteStorage({ path: db, historyLimit: 100 });
  assert.deepEqual(again.get(podKey('ns', 'z'))?.object.metadata.annotations, { k: 'v' });
  await again.close();
  cleanup();
});
