// Contract: list order, namespace and predicate filters, limit/continue as a consistent snapshot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Storage, StoredObject } from '../../src/index.ts';
import { annotate, createMany, pod, podKey, rejectsWith, sameVersion, withStore, writeUntilExpired, type OpenStore } from './harness.ts';

const names = (items: StoredObject[]) => items.map((o) => `${o.object.metadata.namespace ?? ''}/${o.object.metadata.name}`);

/** Every page of a list from `limit`; asserts each page has the first page's revision. */
function listAll(storage: Storage, opts: { namespace?: string; limit: number; filter?: (s: StoredObject) => boolean }): StoredObject[] {
  const items: StoredObject[] = [];
  let page = storage.list('pods', opts);
  const rv = page.rv;
  items.push(...page.items);
  while (page.continue) {
    page = storage.list('pods', { ...opts, continue: page.continue });
    assert.equal(page.rv, rv);
    items.push(...page.items);
  }
  return items;
}

export function listContract(open: OpenStore): void {
  test('list orders by namespace then name and filters by namespace and predicate', () => withStore(open, async ({ storage }) => {
    const keys: [string, string][] = [['b', 'x'], ['a', 'z'], ['ab', 'a'], ['a-b', 'm'], ['a', 'y'], ['b', 'a'], ['a', 'y1']];
    await Promise.all(keys.map(([ns, n]) => storage.create(podKey(ns, n), pod(ns, n, { even: String(n.length % 2 === 0) }))));
    await storage.create({ resource: 'nodes', namespace: '', name: 'n1' }, { metadata: { name: 'n1' } });

    const all = storage.list('pods');
    assert.equal(all.rv, storage.currentRevision());
    assert.equal(all.continue, undefined);
    assert.deepEqual(names(all.items), ['a/y', 'a/y1', 'a/z', 'a-b/m', 'ab/a', 'b/a', 'b/x']);
    assert.deepEqual(all.items[0], storage.get(podKey('a', 'y')));
    assert.deepEqual(names(storage.list('pods', { namespace: 'a' }).items), ['a/y', 'a/y1', 'a/z']);
    assert.deepEqual(names(storage.list('pods', { namespace: 'a-b' }).items), ['a-b/m']);
    assert.deepEqual(names(storage.list('pods', { namespace: 'none' }).items), []);
    assert.deepEqual(names(storage.list('pods', { filter: (s) => s.attrs.metadata.labels?.even === 'true' }).items), ['a/y1']);
    assert.deepEqual(names(storage.list('nodes').items), ['/n1']);
    assert.deepEqual(storage.list('services').items, []);
  }));

  test('issue 18: a stored version is held as JSON text with its selector attributes; its object is a fresh parse', () => withStore(open, async (ctx) => {
    const key = podKey('ns', 'p');
    const obj = { ...pod('ns', 'p', { app: 'web' }), spec: { nodeName: 'n1', containers: [] }, status: { phase: 'Running', hostIP: '10.0.0.1' } };
    const expectAttrs = { metadata: { name: 'p', namespace: 'ns', labels: { app: 'web' } }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
    const created = await ctx.storage.create(key, obj);
    assert.deepEqual(created.attrs, expectAttrs);
    assert.deepEqual(created.object, JSON.parse(created.json));
    const got = ctx.storage.get(key)!;
    got.object.metadata.name = 'changed';
    assert.notEqual(got.object, got.object, 'each read parses a copy the caller owns');
    assert.equal(ctx.storage.get(key)!.object.metadata.name, 'p');
    const deleted = await ctx.storage.delete(key);
    assert.deepEqual(deleted.attrs, expectAttrs);
    assert.equal(deleted.object.metadata.resourceVersion, String(deleted.rv));
    await ctx.storage.create(key, obj);
    if (ctx.reopen) assert.deepEqual((await ctx.reopen()).get(key)!.attrs, expectAttrs, 'attributes are rebuilt from the log');
  }));

  test('limit and continue page through everything once, with remainingItemCount', () => withStore(open, async ({ storage }) => {
    await createMany(storage, 'a', 'p', 10);
    await createMany(storage, 'b', 'p', 5);
    const first = storage.list('pods', { limit: 4 });
    assert.equal(first.items.length, 4);
    assert.equal(first.remainingItemCount, 11);
    assert.equal(storage.list('pods', { limit: 4, countRemaining: false }).remainingItemCount, undefined);
    assert.ok(first.continue);
    assert.deepEqual(names(listAll(storage, { limit: 4 })), names(storage.list('pods').items));
    assert.deepEqual(names(listAll(storage, { limit: 3, namespace: 'b' })), names(storage.list('pods', { namespace: 'b' }).items));
    const exact = storage.list('pods', { namespace: 'b', limit: 5 });
    assert.equal(exact.items.length, 5);
    assert.equal(exact.continue, undefined, 'no continue token when nothing is left');
  }));

  test('limit counts only objects that pass the filter', () => withStore(open, async ({ storage }) => {
    await Promise.all(Array.from({ length: 20 }, (_, i) =>
      storage.create(podKey('ns', `p${String(i).padStart(2, '0')}`), pod('ns', `p${i}`, { odd: String(i % 2 === 1) }))));
    const filter = (s: StoredObject) => s.attrs.metadata.labels?.odd === 'true';
    const page = storage.list('pods', { limit: 3, filter });
    assert.deepEqual(names(page.items), ['ns/p1', 'ns/p3', 'ns/p5']);
    const all = listAll(storage, { limit: 3, filter });
    assert.equal(all.length, 10);
    assert.ok(all.every((o) => o.object.metadata.labels?.odd === 'true'));
  }));

  test('writtenBy lists only states written at or before a revision, counted before limit, on every page', () => withStore(open, async ({ storage }) => {
    const early = await createMany(storage, 'ns', 'p', 6); // p-0 .. p-5
    const bound = storage.currentRevision();
    await storage.guaranteedUpdate(podKey('ns', 'p-1'), (c) => annotate(c.object, 'later', 'yes'));
    await createMany(storage, 'ns', 'q', 3);
    const old = (opts: { limit?: number; continue?: string } = {}) => storage.list('pods', { writtenBy: bound, ...opts });
    assert.deepEqual(names(old().items), ['ns/p-0', 'ns/p-2', 'ns/p-3', 'ns/p-4', 'ns/p-5']);
    assert.ok(old().items.every((o) => o.rv <= bound));
    const first = old({ limit: 2 });
    assert.deepEqual(names(first.items), ['ns/p-0', 'ns/p-2']);
    // Later pages read the snapshot at the first page's revision: p-3 rewritten meanwhile is still listed there, as
    // its state of then.
    await storage.guaranteedUpdate(podKey('ns', 'p-3'), (c) => annotate(c.object, 'after-first-page', 'yes'));
    const rest: StoredObject[] = [];
    for (let page = first; page.continue;) {
      page = old({ limit: 2, continue: page.continue });
      rest.push(...page.items);
    }
    assert.deepEqual(names(rest), ['ns/p-3', 'ns/p-4', 'ns/p-5']);
    sameVersion(rest[0], early[3]);
  }));

  test('pages of a continued list are the snapshot at the first page\'s revision', () => withStore(open, async ({ storage }) => {
    await createMany(storage, 'ns', 'p', 10); // p-0 .. p-9
    const before = storage.list('pods');
    const first = storage.list('pods', { limit: 3 });
    assert.deepEqual(names(first.items), names(before.items.slice(0, 3)));
    // Change every kind of thing the later pages would show.
    await storage.delete(podKey('ns', 'p-5'));
    await storage.delete(podKey('ns', 'p-0')); // on the first page
    await storage.guaranteedUpdate(podKey('ns', 'p-7'), (c) => annotate(c.object, 'changed', 'yes'));
    await storage.create(podKey('ns', 'p-55'), pod('ns', 'p-55'));
    await storage.delete(podKey('ns', 'p-8')).then(() => storage.create(podKey('ns', 'p-8'), pod('ns', 'p-8')));
    await storage.create(podKey('zz', 'late'), pod('zz', 'late'));
    const rest: StoredObject[] = [];
    let page = first;
    while (page.continue) {
      page = storage.list('pods', { limit: 3, continue: page.continue });
      assert.equal(page.rv, first.rv);
      rest.push(...page.items);
    }
    assert.deepEqual([...first.items, ...rest], before.items);
    assert.ok(storage.list('pods').rv > first.rv);
  }));

  test('a malformed continue token fails with Invalid', () => withStore(open, async ({ storage }) => {
    await createMany(storage, 'ns', 'p', 3);
    for (const token of ['not a token', Buffer.from('{"rv":"x"}').toString('base64url'), Buffer.from('[]').toString('base64url')]) {
      await rejectsWith(() => storage.list('pods', { continue: token }), 'Invalid');
    }
  }));

  test('a continue token older than the retained history fails with Expired', () => withStore(open, async ({ storage }) => {
    await createMany(storage, 'ns', 'p', 3);
    const first = storage.list('pods', { limit: 1 });
    await writeUntilExpired(storage, first.rv);
    await rejectsWith(() => storage.list('pods', { limit: 1, continue: first.continue }), 'Expired');
    assert.equal(storage.list('pods', { namespace: 'ns' }).items.length, 3, 'a fresh list still works');
  }));
}
