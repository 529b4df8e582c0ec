// Contract: watch replay and live changes, filters, batch order, expiry and misbehaving listeners.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '@podling/api';
import type { Change, Storage, StoredObject, WatchTrigger } from '../../src/index.ts';
import { annotate, createMany, pod, podKey, record, rejectsWith, sameVersion, withStore, writeUntilExpired, type OpenStore } from './harness.ts';

/** One wave of mixed writes on pods in `ns`: creates of new names, updates and deletes of existing ones. */
function wave(storage: Storage, ns: string, tag: string, existing: string[]): Promise<StoredObject>[] {
  const ops: Promise<StoredObject>[] = [];
  for (let i = 0; i < 100; i++) ops.push(storage.create(podKey(ns, `${tag}-${i}`), pod(ns, `${tag}-${i}`)));
  for (const name of existing.splice(0, 40)) ops.push(storage.guaranteedUpdate(podKey(ns, name), (c) => annotate(c.object, 'wave', tag)));
  for (const name of existing.splice(0, 10)) ops.push(storage.delete(podKey(ns, name)));
  // A resource nobody watches here: its writes must not show up.
  ops.push(storage.create({ resource: 'leases', namespace: ns, name: tag }, pod(ns, tag)));
  return ops;
}

function assertStrictlyIncreasing(changes: readonly Change[]): void {
  for (let i = 1; i < changes.length; i++) assert.ok(changes[i].rv > changes[i - 1].rv, `rv ${changes[i].rv} after ${changes[i - 1].rv}`);
}

export function watchContract(open: OpenStore): void {
  test('watch replays every change after fromRv, then streams live ones, nothing missed or repeated', () => withStore(open, async ({ storage }) => {
    const origin = storage.currentRevision(); // 0 for a new SQLite file; etcd's revision for a new etcd prefix
    const base = await createMany(storage, 'ns', 'base', 200);
    const fromRv = storage.currentRevision();
    const existing = base.map((o) => o.object.metadata.name!);
    const a = await Promise.all(wave(storage, 'ns', 'a', existing)); // committed before the watch: replayed
    const b = wave(storage, 'ns', 'b', existing); // in flight while the watch starts
    const watcher = record(storage, { resource: 'pods', fromRv });
    const fromZero = record(storage, { resource: 'pods', fromRv: origin });
    const rest = [...await Promise.all(b), ...await Promise.all(wave(storage, 'ns', 'c', existing))];
    const expected = [...a, ...rest].filter((o) => o.object.metadata.name!.includes('-')).map((o) => o.rv).sort((x, y) => x - y);
    assert.deepEqual(watcher.changes.map((c) => c.rv), expected);
    assertStrictlyIncreasing(watcher.changes);
    assert.ok(watcher.changes.every((c) => c.key.resource === 'pods'));
    assert.equal(fromZero.changes.length, 200 + expected.length);
    assertStrictlyIncreasing(fromZero.changes);
    const types = new Set(watcher.changes.map((c) => c.type));
    assert.deepEqual([...types].sort(), ['ADDED', 'DELETED', 'MODIFIED']);
    for (const c of watcher.changes) {
      assert.equal(c.current.rv, c.rv);
      assert.equal(c.current.object.metadata.resourceVersion, String(c.rv));
      if (c.type === 'ADDED') assert.equal(c.previous, undefined);
      else assert.ok(c.previous && c.previous.rv < c.rv, 'MODIFIED and DELETED carry the previous state');
    }
    watcher.stop();
    fromZero.stop();
  }));

  test('each batch is non-empty and in revision order, and batches follow each other in revision order', () => withStore(open, async ({ storage }) => {
    const origin = storage.currentRevision(); // 0 for a new SQLite file; etcd's revision for a new etcd prefix
    const watcher = record(storage, { resource: 'pods', fromRv: origin });
    for (let round = 0; round < 5; round++) await createMany(storage, 'ns', `r${round}`, 50);
    assert.ok(watcher.batches.length >= 5);
    assert.ok(watcher.batches.every((b) => b.length > 0));
    assertStrictlyIncreasing(watcher.changes);
    assert.equal(watcher.changes.length, 250);
    watcher.stop();
  }));

  test('watch from the current revision delivers only later changes; stop ends delivery', () => withStore(open, async ({ storage }) => {
    await createMany(storage, 'ns', 'old', 5);
    const watcher = record(storage, { resource: 'pods', fromRv: storage.currentRevision() });
    assert.equal(watcher.changes.length, 0);
    const created = await storage.create(podKey('ns', 'new'), pod('ns', 'new'));
    assert.deepEqual(watcher.changes.map((c) => [c.type, c.rv]), [['ADDED', created.rv]]);
    watcher.stop();
    await storage.create(podKey('ns', 'after-stop'), pod('ns', 'after-stop'));
    assert.equal(watcher.changes.length, 1);
  }));

  test('watch with a namespace sees only that namespace of that resource', () => withStore(open, async ({ storage }) => {
    const origin = storage.currentRevision(); // 0 for a new SQLite file; etcd's revision for a new etcd prefix
    const watcher = record(storage, { resource: 'pods', namespace: 'a', fromRv: origin });
    await Promise.all([
      storage.create(podKey('a', 'x'), pod('a', 'x')), storage.create(podKey('b', 'x'), pod('b', 'x')),
      storage.create(podKey('ab', 'x'), pod('ab', 'x')), storage.create({ resource: 'leases', namespace: 'a', name: 'x' }, pod('a', 'x')),
    ]);
    await storage.delete(podKey('a', 'x'));
    assert.deepEqual(watcher.changes.map((c) => `${c.type} ${c.key.resource} ${c.key.namespace}/${c.key.name}`),
      ['ADDED pods a/x', 'DELETED pods a/x']);
    const late = record(storage, { resource: 'pods', namespace: 'a', fromRv: origin });
    assert.deepEqual(late.changes.map((c) => c.type), ['ADDED', 'DELETED'], 'replay applies the same filter');
    watcher.stop();
    late.stop();
  }));

  test('a watch from a revision older than the retained history fails with Expired', () => withStore(open, async ({ storage }) => {
    await createMany(storage, 'ns', 'p', 3);
    const rv = storage.currentRevision();
    await writeUntilExpired(storage, rv);
    await rejectsWith(() => storage.watch({ resource: 'pods', fromRv: rv }, () => {}), 'Expired');
    const oldest = storage.oldestRevision();
    const watcher = record(storage, { resource: 'pods', fromRv: oldest - 1 });
    assert.ok(watcher.changes.length > 0, 'the oldest retained revision is still replayable');
    assert.ok(watcher.changes[0].rv >= oldest);
    watcher.stop();
  }));

  test('a throwing listener neither fails the write nor starves other watchers', () => withStore(open, async ({ storage }) => {
    const origin = storage.currentRevision(); // 0 for a new SQLite file; etcd's revision for a new etcd prefix
    const bad = storage.watch({ resource: 'pods', fromRv: origin }, () => { throw new Error('listener bug'); });
    const good = record(storage, { resource: 'pods', fromRv: origin });
    const created = await storage.create(podKey('ns', 'a'), pod('ns', 'a'));
    await storage.create(podKey('ns', 'b'), pod('ns', 'b'));
    assert.deepEqual(good.changes.map((c) => c.key.name), ['a', 'b']);
    sameVersion(storage.get(podKey('ns', 'a')), created);
    bad.stop();
    good.stop();
  }));

  test('issue 18: a watch with a trigger is handed the changes whose current or previous state has its value, and only those', () => withStore(open, async ({ storage }) => {
    const origin = storage.currentRevision(); // 0 for a new SQLite file; etcd's revision for a new etcd prefix
    const onNode = (value: string): WatchTrigger => ({ index: 'spec.nodeName', value, valueOf: (a: KubeObject) => (a.spec as { nodeName?: string } | undefined)?.nodeName ?? '' });
    const bind = (node: string) => (c: StoredObject) => ({ ...c.object, spec: { ...(c.object.spec as object), nodeName: node } });
    const n1 = record(storage, { resource: 'pods', fromRv: origin, trigger: onNode('n1') });
    const n2 = record(storage, { resource: 'pods', fromRv: origin, trigger: onNode('n2') });
    const n1InA = record(storage, { resource: 'pods', namespace: 'a', fromRv: origin, trigger: onNode('n1') });
    const all = record(storage, { resource: 'pods', fromRv: origin });
    await Promise.all([storage.create(podKey('a', 'x'), pod('a', 'x')), storage.create(podKey('b', 'y'), pod('b', 'y'))]);
    // One commit: x bound to n1, y to n2.
    await Promise.all([storage.guaranteedUpdate(podKey('a', 'x'), bind('n1')), storage.guaranteedUpdate(podKey('b', 'y'), bind('n2'))]);
    await storage.guaranteedUpdate(podKey('a', 'x'), (c) => annotate(c.object, 'k', 'v'));
    await storage.guaranteedUpdate(podKey('b', 'y'), bind('n1')); // leaves n2 for n1: both see it
    await storage.delete(podKey('a', 'x'));
    await storage.delete(podKey('b', 'y'));
    const seen = (r: ReturnType<typeof record>) => r.changes.map((c) => `${c.type} ${c.key.name}`);
    assert.deepEqual(seen(n1), ['MODIFIED x', 'MODIFIED x', 'MODIFIED y', 'DELETED x', 'DELETED y']);
    assert.deepEqual(seen(n2), ['MODIFIED y', 'MODIFIED y']);
    assert.deepEqual(seen(n1InA), ['MODIFIED x', 'MODIFIED x', 'DELETED x']);
    assert.equal(all.changes.length, 8);
    for (const r of [n1, n2, n1InA, all]) { assertStrictlyIncreasing(r.changes); r.stop(); }
    await storage.create(podKey('a', 'z'), { ...pod('a', 'z'), spec: { nodeName: 'n1', containers: [] } });
    assert.equal(n1.changes.length, 5, 'a stopped watch is handed nothing');
  }));
}
