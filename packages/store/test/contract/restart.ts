// Contract: what a restart keeps (only for durable backends: runStorageContract leaves it out otherwise).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annotate, createMany, plain, pod, podKey, record, sameVersion, withStore, type OpenStore } from './harness.ts';

export function restartContract(open: OpenStore): void {
  test('reopening keeps objects, the revision, the watch window and continue tokens', () => withStore(open, async (ctx) => {
    assert.ok(ctx.reopen, 'a durable backend must provide reopen');
    await createMany(ctx.storage, 'ns', 'p', 5);
    const fromRv = ctx.storage.currentRevision();
    await ctx.storage.guaranteedUpdate(podKey('ns', 'p-1'), (c) => annotate(c.object, 'k', 'v'));
    await ctx.storage.delete(podKey('ns', 'p-2'));
    const page = ctx.storage.list('pods', { limit: 2 });
    const pageItems = plain(page.items);
    const snapshot = plain(ctx.storage.list('pods').items);
    await ctx.storage.delete(podKey('ns', 'p-3'));
    const before = plain(ctx.storage.list('pods'));
    const liveBefore = plain(record(ctx.storage, { resource: 'pods', fromRv }).changes);

    const storage = await ctx.reopen();
    assert.equal(storage.currentRevision(), before.rv);
    assert.deepEqual(plain(storage.list('pods')), before);
    const replay = record(storage, { resource: 'pods', fromRv });
    assert.deepEqual(plain(replay.changes), liveBefore);
    assert.deepEqual(replay.changes.map((c) => c.type), ['MODIFIED', 'DELETED', 'DELETED']);

    const rest = storage.list('pods', { continue: page.continue });
    assert.deepEqual(plain([...pageItems, ...rest.items]), snapshot);

    const created = await storage.create(podKey('ns', 'after'), pod('ns', 'after'));
    assert.ok(created.rv > before.rv);
    sameVersion(replay.changes.at(-1)?.current, created);
    replay.stop();
  }));

  test('close stores writes still in flight', () => withStore(open, async (ctx) => {
    assert.ok(ctx.reopen, 'a durable backend must provide reopen');
    const inFlight = ctx.storage.create(podKey('ns', 'late'), pod('ns', 'late'));
    await ctx.storage.close();
    const stored = await inFlight;
    const storage = await ctx.reopen();
    sameVersion(storage.get(podKey('ns', 'late')), stored);
  }));
}
