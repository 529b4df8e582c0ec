// The etcd backend: the storage contract on a real one-member etcd (one per file, a fresh key prefix per store), plus
// what only this backend promises: Kubernetes' key layout, revisions shared by every store on the cluster, updates
// through two stores at once. (Compaction, a lost etcd member and etcd down: apps/apiserver/test/etcd-backend.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { startEtcdCluster, type EtcdCluster } from '@podling/testkit';
import { openEtcdStorage, type EtcdStorageOptions, type Storage } from '../src/index.ts';
import { runStorageContract } from './storage-contract.ts';
import { annotate, pod, podKey, record, rejectsWith, sameVersion } from './contract/harness.ts';

let etcd: EtcdCluster;
before(async () => { etcd = await startEtcdCluster(); });
after(() => etcd.stop());

let stores = 0;
function options(): EtcdStorageOptions {
  return { endpoints: etcd.endpoints, prefix: `/registry-${++stores}`, historyLimit: 1500, compactionIntervalMs: 0 };
}

runStorageContract('etcd3', async () => {
  const o = options();
  return { storage: await openEtcdStorage(o), reopen: () => openEtcdStorage(o), cleanup: () => {} };
});

describe('etcd storage', () => {
  test('objects live under Kubernetes\' key layout as JSON without resourceVersion', async () => {
    const o = options();
    const storage = await openEtcdStorage(o);
    const raw = new Etcd3({ hosts: etcd.endpoints });
    try {
      await storage.create({ resource: 'nodes', namespace: '', name: 'n1' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
      await storage.create({ resource: 'services', namespace: 'ns', name: 's' }, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' } });
      const stored = await storage.create(podKey('ns', 'p'), pod('ns', 'p'));
      const keys = await raw.getAll().prefix(`${o.prefix}/`).keys();
      assert.deepEqual(keys.sort(), [`${o.prefix}/minions/n1`, `${o.prefix}/pods/ns/p`, `${o.prefix}/services/specs/ns/s`]);
      const kv = (await raw.get(`${o.prefix}/pods/ns/p`).exec()).kvs[0];
      assert.equal(Number(kv.mod_revision), stored.rv, 'resourceVersion is the key\'s mod_revision');
      assert.deepEqual(JSON.parse(kv.value.toString()), pod('ns', 'p'), 'the value has no resourceVersion');
    } finally {
      raw.close();
      await storage.close();
    }
  });

  test('two stores on one prefix agree on revisions, see each other\'s writes, and never lose an update', async () => {
    const o = options();
    const [a, b] = [await openEtcdStorage(o), await openEtcdStorage(o)];
    try {
      const seen = record(b, { resource: 'pods', fromRv: b.currentRevision() });
      const created = await a.create(podKey('ns', 'p'), pod('ns', 'p'));
      assert.equal(await b.waitForRevision!(created.rv, 5000), true);
      sameVersion(b.get(podKey('ns', 'p')), created);
      assert.deepEqual(seen.changes.map((c) => [c.type, c.rv]), [['ADDED', created.rv]]);
      // Both bump one counter at once: each store's cache trails the other's writes, so transactions conflict and
      // are retried against the value etcd returns.
      const bump = (s: Storage) => s.guaranteedUpdate(podKey('ns', 'p'), (cur) =>
        annotate(cur.object, 'n', String(Number(cur.object.metadata.annotations?.n ?? 0) + 1)));
      const done = await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 ? a : b)));
      const last = done.reduce((x, y) => (y.rv > x.rv ? y : x));
      assert.equal(last.object.metadata.annotations?.n, '20');
      // Either store made the last write; both caches must have it before they are compared.
      assert.equal(await a.waitForRevision!(last.rv, 5000), true);
      assert.equal(await b.waitForRevision!(last.rv, 5000), true);
      sameVersion(a.get(podKey('ns', 'p')), b.get(podKey('ns', 'p')));
      seen.stop();
      // A key the other store has just taken is KeyExists, whether or not this store's cache has it yet: etcd decides.
      await a.create(podKey('ns', 'q'), pod('ns', 'q'));
      await rejectsWith(b.create(podKey('ns', 'q'), pod('ns', 'q')), 'KeyExists');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a watch from a revision this store has not reached yet starts after it', async () => {
    const o = options();
    const storage = await openEtcdStorage(o);
    try {
      const ahead = storage.currentRevision() + 2;
      const watcher = record(storage, { resource: 'pods', fromRv: ahead });
      const made = [];
      for (let i = 0; i < 4; i++) made.push(await storage.create(podKey('ns', `p${i}`), pod('ns', `p${i}`)));
      assert.deepEqual(watcher.changes.map((c) => c.rv), made.map((m) => m.rv).filter((rv) => rv > ahead));
      watcher.stop();
    } finally {
      await storage.close();
    }
  });
});
