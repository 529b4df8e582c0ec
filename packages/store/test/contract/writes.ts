// Contract: create, get, guaranteedUpdate, delete and revisions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StorageError } from '../../src/index.ts';
import { annotate, pod, podKey, record, rejectsWith, sameVersion, withStore, type OpenStore } from './harness.ts';

export function writeContract(open: OpenStore): void {
  test('create stores the object with metadata.resourceVersion set to the new revision', () => withStore(open, async ({ storage }) => {
    const origin = storage.currentRevision(); // 0 for a new SQLite file; etcd's revision for a new etcd prefix
    assert.deepEqual(storage.list('pods').items, []);
    const input = pod('ns', 'a');
    const stored = await storage.create(podKey('ns', 'a'), input);
    assert.equal(stored.rv, storage.currentRevision());
    assert.ok(stored.rv > origin);
    assert.equal(stored.object.metadata.resourceVersion, String(stored.rv));
    assert.equal(stored.json, JSON.stringify(stored.object));
    assert.deepEqual(JSON.parse(stored.json), { ...input, metadata: { ...input.metadata, resourceVersion: String(stored.rv) } });
    assert.equal(input.metadata.resourceVersion, undefined, 'the caller\'s object is not modified');
    sameVersion(storage.get(podKey('ns', 'a')), stored);
    assert.equal(storage.get(podKey('other', 'a')), undefined);
    assert.equal(storage.get({ resource: 'nodes', namespace: 'ns', name: 'a' }), undefined);
  }));

  test('create fails with KeyExists when the key is taken, even by a write still in flight', () => withStore(open, async ({ storage }) => {
    const first = storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    const second = storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    await rejectsWith(second, 'KeyExists');
    await first;
    await rejectsWith(storage.create(podKey('ns', 'a'), pod('ns', 'a')), 'KeyExists');
    // The same name in another namespace or resource is another key.
    await storage.create(podKey('ns2', 'a'), pod('ns2', 'a'));
    await storage.create({ resource: 'leases', namespace: 'ns', name: 'a' }, pod('ns', 'a'));
  }));

  test('revisions strictly increase across creates, updates and deletes', () => withStore(open, async ({ storage }) => {
    const rvs: number[] = [];
    for (let i = 0; i < 5; i++) {
      rvs.push((await storage.create(podKey('ns', `p${i}`), pod('ns', `p${i}`))).rv);
      rvs.push((await storage.guaranteedUpdate(podKey('ns', `p${i}`), (cur) => annotate(cur.object, 'x', 'y'))).rv);
      if (i % 2 === 0) rvs.push((await storage.delete(podKey('ns', `p${i}`))).rv);
    }
    for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i] > rvs[i - 1], `rv ${rvs[i]} after ${rvs[i - 1]}`);
    assert.equal(storage.currentRevision(), rvs[rvs.length - 1]);
  }));

  test('guaranteedUpdate sees writes still in flight, so concurrent updates serialize', () => withStore(open, async ({ storage }) => {
    await storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    const bump = () => storage.guaranteedUpdate(podKey('ns', 'a'), (cur) =>
      annotate(cur.object, 'count', String(Number(cur.object.metadata.annotations?.count ?? 0) + 1)));
    const results = await Promise.all(Array.from({ length: 10 }, bump));
    assert.deepEqual(results.map((r) => r.object.metadata.annotations?.count), ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    for (let i = 1; i < results.length; i++) assert.ok(results[i].rv > results[i - 1].rv);
    sameVersion(storage.get(podKey('ns', 'a')), results[9]);
  }));

  test('guaranteedUpdate returning null, or the object unchanged, writes nothing and resolves with the current object', () => withStore(open, async ({ storage }) => {
    const created = await storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    const rv = storage.currentRevision();
    const watcher = record(storage, { resource: 'pods', fromRv: rv });
    sameVersion(await storage.guaranteedUpdate(podKey('ns', 'a'), () => null), created);
    sameVersion(await storage.guaranteedUpdate(podKey('ns', 'a'), (cur) => cur.object), created);
    sameVersion(await storage.guaranteedUpdate(podKey('ns', 'a'), (cur) => {
      const o = cur.object;
      delete o.metadata.resourceVersion;
      return o;
    }), created, 'as the apiserver hands it over: without its resourceVersion');
    assert.equal(storage.currentRevision(), rv);
    const marker = await storage.create(podKey('ns', 'b'), pod('ns', 'b'));
    assert.deepEqual(watcher.changes.map((c) => c.rv), [marker.rv], 'no event for the no-op');
    watcher.stop();
  }));

  test('a no-op update of an object still in flight resolves with that object once it is stored', () => withStore(open, async ({ storage }) => {
    const created = storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    const noop = await storage.guaranteedUpdate(podKey('ns', 'a'), () => null);
    sameVersion(noop, await created);
    assert.deepEqual(storage.get(podKey('ns', 'a')), noop);
  }));

  test('update and delete of a missing object fail with NotFound', () => withStore(open, async ({ storage }) => {
    await rejectsWith(storage.guaranteedUpdate(podKey('ns', 'nope'), (cur) => cur.object), 'NotFound');
    await rejectsWith(storage.delete(podKey('ns', 'nope')), 'NotFound');
    await storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    const deleted = storage.delete(podKey('ns', 'a'));
    await rejectsWith(storage.guaranteedUpdate(podKey('ns', 'a'), (cur) => cur.object), 'NotFound');
    await deleted;
    await rejectsWith(storage.delete(podKey('ns', 'a')), 'NotFound');
  }));

  test('an update function that throws rejects with its error and writes nothing', () => withStore(open, async ({ storage }) => {
    const created = await storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    const conflict = new Error('conflict');
    await assert.rejects(storage.guaranteedUpdate(podKey('ns', 'a'), () => { throw conflict; }), (e) => e === conflict);
    assert.equal(storage.currentRevision(), created.rv);
    assert.deepEqual(storage.get(podKey('ns', 'a')), created);
  }));

  test('a delete refused by its check leaves the object in place', () => withStore(open, async ({ storage }) => {
    const created = await storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    const refusal = new StorageError('NotFound', podKey('ns', 'a'), 'uid precondition failed');
    await assert.rejects(storage.delete(podKey('ns', 'a'), (cur) => {
      assert.deepEqual(cur, created);
      throw refusal;
    }), (e) => e === refusal);
    assert.deepEqual(storage.get(podKey('ns', 'a')), created);
    assert.equal(storage.currentRevision(), created.rv);
  }));

  test('delete resolves with the last state stamped with the deletion revision', () => withStore(open, async ({ storage }) => {
    const updated = await storage.create(podKey('ns', 'a'), pod('ns', 'a'))
      .then(() => storage.guaranteedUpdate(podKey('ns', 'a'), (cur) => annotate(cur.object, 'k', 'v')));
    const watcher = record(storage, { resource: 'pods', fromRv: updated.rv });
    const deleted = await storage.delete(podKey('ns', 'a'));
    assert.equal(deleted.rv, storage.currentRevision());
    assert.ok(deleted.rv > updated.rv);
    assert.equal(deleted.object.metadata.resourceVersion, String(deleted.rv));
    assert.equal(deleted.json, JSON.stringify(deleted.object));
    assert.deepEqual(deleted.object, { ...updated.object, metadata: { ...updated.object.metadata, resourceVersion: String(deleted.rv) } });
    assert.equal(storage.get(podKey('ns', 'a')), undefined);
    assert.equal(watcher.changes.length, 1);
    const [change] = watcher.changes;
    assert.equal(change.type, 'DELETED');
    assert.equal(change.rv, deleted.rv);
    assert.deepEqual(change.current, deleted);
    assert.deepEqual(change.previous, updated);
    assert.deepEqual(change.key, podKey('ns', 'a'));
    watcher.stop();
    // The name is free again.
    assert.ok((await storage.create(podKey('ns', 'a'), pod('ns', 'a'))).rv > deleted.rv);
  }));

  test('writes after close fail with Unavailable', () => withStore(open, async (ctx) => {
    await ctx.storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    await ctx.storage.close();
    await rejectsWith(ctx.storage.create(podKey('ns', 'b'), pod('ns', 'b')), 'Unavailable');
    await rejectsWith(ctx.storage.guaranteedUpdate(podKey('ns', 'a'), (c) => c.object), 'Unavailable');
    await rejectsWith(ctx.storage.delete(podKey('ns', 'a')), 'Unavailable');
  }));
}
