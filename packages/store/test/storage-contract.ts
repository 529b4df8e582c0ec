// The behaviour every Storage implementation must have, written once (kube-apiserver's store_tests.go in spirit).
// A backend's test file calls runStorageContract with a factory for fresh, empty stores.
import { describe } from 'node:test';
import type { OpenStore } from './contract/harness.ts';
import { writeContract } from './contract/writes.ts';
import { listContract } from './contract/lists.ts';
import { watchContract } from './contract/watches.ts';
import { restartContract } from './contract/restart.ts';

export type { OpenStore, OpenedStore } from './contract/harness.ts';

/** `open` must return a fresh, empty store. Its history must hold at least 1000 changes (the watch tests replay that
 *  many) and should be small enough that a few thousand writes expire the oldest (the Expired tests write until
 *  oldestRevision() moves past a revision). `reopen`, when given, closes nothing: it is called after `storage.close()`
 *  and must open the same data again. */
/** `durable: false` for backends that cannot be reopened (`:memory:`): the restart contract is then not run. */
export function runStorageContract(name: string, open: OpenStore, opts: { durable?: boolean } = {}): void {
  describe(`storage contract: ${name}`, () => {
    writeContract(open);
    listContract(open);
    watchContract(open);
    if (opts.durable !== false) restartContract(open);
  });
}
