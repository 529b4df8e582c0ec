// The watch window's replaced states keep only their skeleton in memory; their text is read back from the
// log (stamp.ts releaseText): from the state's own row, then from the prev_value of the change that replaced it, and
// past that it is gone (410 Expired). The log's rows are edited by hand to tell a text read from the log from one
// held in memory.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isStorageError, openSqliteStorage, type Change, type SqliteStorage } from '../src/index.ts';
import { annotate, pod, podKey } from './contract/harness.ts';

interface Sql { prepare(sql: string): { run(...a: unknown[]): unknown; pluck(): { get(...a: unknown[]): unknown } } }
const dbOf = (s: SqliteStorage) => (s as unknown as { journal: { db: Sql } }).journal.db;

function replay(storage: SqliteStorage, fromRv = 0): Change[] {
  const seen: Change[] = [];
  storage.watch({ resource: 'pods', fromRv }, (batch) => seen.push(...batch)).stop();
  return seen;
}

test('replaced states are read from the log, while it keeps them', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'podling-released-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'state.db');
  let storage = openSqliteStorage({ path: file, historyLimit: 4 });
  const db = () => dbOf(storage);
  const rows = (rv: number) => db().prepare('SELECT count(*) FROM changes WHERE rv = ?').pluck().get(rv);
  const tamper = (rv: number, json: string) => db().prepare('UPDATE changes SET value = ? WHERE rv = ?').run(json, rv);
  try {
    const a1 = await storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    const text1 = a1.json;
    const a2 = await storage.guaranteedUpdate(podKey('ns', 'a'), (cur) => annotate(cur.object, 'k', '2'));
    const [added, modified] = replay(storage);
    assert.equal(added.current.rv, a1.rv);
    assert.equal(modified.previous!.json, text1);
    assert.deepEqual(modified.previous!.attrs, a1.attrs, 'the skeleton stays');

    tamper(a1.rv, '{"edited":1}');
    assert.equal(added.current.json, '{"edited":1}', 'the replaced state is read from its row');
    tamper(a2.rv, '{"edited":2}');
    assert.equal(storage.get(podKey('ns', 'a'))!.json, a2.json, 'the current state is held in memory');
    assert.notEqual(a2.json, '{"edited":2}');
    tamper(a1.rv, text1);
    tamper(a2.rv, a2.json);

    // Three more changes push a1 out of the window: its row goes, and a2's row carries it as prev_value.
    for (const n of ['b', 'c', 'd']) await storage.create(podKey('ns', n), pod('ns', n));
    assert.ok(storage.oldestRevision() > a1.rv);
    assert.equal(rows(a1.rv), 0);
    assert.equal(modified.previous!.json, text1, 'then from the prev_value of the change that replaced it');

    // A delete's previous state is replaced too; its own final state is the deleter's answer and stays held.
    const b = storage.get(podKey('ns', 'b'))!;
    const bText = b.json;
    const deletedState = await storage.delete(podKey('ns', 'b'));
    const deleted = replay(storage, storage.currentRevision() - 1)[0];
    assert.equal(deleted.type, 'DELETED');
    tamper(b.rv, '{"edited":3}');
    assert.equal(deleted.previous!.json, '{"edited":3}');
    tamper(deleted.rv, '{"edited":4}');
    assert.equal(deletedState.json, deleted.current.json);
    assert.notEqual(deletedState.json, '{"edited":4}');
    tamper(b.rv, bText);
    assert.equal(b.json, bText);
    tamper(deleted.rv, deletedState.json);

    // Once a2 leaves the window as well, a1's text is nowhere: a reader that held it that long gets Expired.
    await storage.guaranteedUpdate(podKey('ns', 'a'), (cur) => annotate(cur.object, 'k', '3'));
    for (const n of ['e', 'f', 'g', 'h']) await storage.create(podKey('ns', n), pod('ns', n));
    assert.equal(rows(a2.rv), 0);
    assert.throws(() => modified.previous!.json, (e) => isStorageError(e, 'Expired'));

    // After a restart the window's replaced states are read from the log as well.
    await storage.guaranteedUpdate(podKey('ns', 'h'), (cur) => annotate(cur.object, 'k', 'h'));
    const before = replay(storage, storage.oldestRevision() - 1).map((c) => [c.current.json, c.previous?.json]);
    await storage.close();
    storage = openSqliteStorage({ path: file, historyLimit: 4 });
    const window = replay(storage, storage.oldestRevision() - 1);
    assert.deepEqual(window.map((c) => [c.current.json, c.previous?.json]), before);
    const replaced = window.find((c) => c.previous)!;
    tamper(replaced.previous!.rv, '{"edited":5}');
    assert.equal(replaced.previous!.json, '{"edited":5}');
  } finally {
    await storage.close();
  }
});

test('the window keeps no text of a resource read from the log, and its writer still answers with its own', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'podling-released-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'state.db');
  const open = () => openSqliteStorage({ path: file, historyLimit: 4, uncachedResources: ['pods'] });
  let storage = open();
  const tamper = (rv: number, json: string) => dbOf(storage).prepare('UPDATE changes SET value = ? WHERE rv = ?').run(json, rv);
  try {
    const a = await storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    const text = a.json;
    let [added] = replay(storage);
    assert.equal(added.current.json, text);
    assert.deepEqual(added.current.attrs, a.attrs, 'the skeleton stays');
    tamper(a.rv, '{"edited":1}');
    assert.equal(added.current.json, '{"edited":1}', "the window's state is read from its row");
    assert.equal(a.json, text, "the writer's answer holds its text");
    tamper(a.rv, text);

    // The same once the log is opened again.
    await storage.close();
    storage = open();
    [added] = replay(storage);
    tamper(a.rv, '{"edited":2}');
    assert.equal(added.current.json, '{"edited":2}');
    tamper(a.rv, text);

    // An update's new state too; its previous state is the row of a, as for cached resources.
    const a2 = await storage.guaranteedUpdate(podKey('ns', 'a'), (cur) => annotate(cur.object, 'k', '2'));
    const modified = replay(storage, a.rv)[0];
    assert.equal(modified.previous!.json, text);
    tamper(a2.rv, '{"edited":3}');
    assert.equal(modified.current.json, '{"edited":3}');
    assert.notEqual(a2.json, '{"edited":3}');
  } finally {
    await storage.close();
  }
});
