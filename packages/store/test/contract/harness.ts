// Shared helpers of the contract tests: a store per test, objects, keys, and a recording watcher.
import assert from 'node:assert/strict';
import type { KubeObject } from '@podling/api';
import { isStorageError, type Change, type ObjectKey, type Storage, type StorageErrorCode, type StoredObject, type WatchOptions } from '../../src/index.ts';

export interface OpenedStore {
  storage: Storage;
  /** Opens the same data again; called only after storage.close(). */
  reopen?: () => Promise<Storage>;
  cleanup(): void;
}
export type OpenStore = () => Promise<OpenedStore>;

export interface Ctx {
  /** The store under test (replaced by reopen()). */
  storage: Storage;
  /** Closes the store and opens the same data again; undefined when the backend cannot. */
  reopen?: () => Promise<Storage>;
}

/** Runs `fn` against a fresh store and always closes and cleans it up. */
export async function withStore(open: OpenStore, fn: (ctx: Ctx) => Promise<void>): Promise<void> {
  const opened = await open();
  const ctx: Ctx = { storage: opened.storage };
  if (opened.reopen) {
    const reopen = opened.reopen;
    ctx.reopen = async () => {
      await ctx.storage.close();
      ctx.storage = await reopen();
      return ctx.storage;
    };
  }
  try {
    await fn(ctx);
  } finally {
    await ctx.storage.close();
    opened.cleanup();
  }
}

export function podKey(namespace: string, name: string): ObjectKey {
  return { resource: 'pods', namespace, name };
}

export function pod(namespace: string, name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, labels },
    spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] },
  };
}

/** Sets an annotation: a real modification for update tests. */
export function annotate(obj: KubeObject, k: string, v: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [k]: v } } };
}

export async function rejectsWith(p: Promise<unknown> | (() => unknown), code: StorageErrorCode): Promise<void> {
  await assert.rejects(async () => (typeof p === 'function' ? p() : p), (e: unknown) => {
    assert.ok(isStorageError(e, code), `expected StorageError ${code}, got ${String(e)}`);
    return true;
  });
}

/** Two stored versions are the same state: text and revision. (A version's text is read through a getter, which
 *  assert.deepEqual does not look at.) */
export function sameVersion(actual: StoredObject | undefined, expected: StoredObject | undefined, message?: string): void {
  assert.deepEqual(actual && { json: actual.json, rv: actual.rv }, expected && { json: expected.json, rv: expected.rv }, message);
}

/** Stored versions and changes as plain data (text and revision), read now: a replaced state's text may be read
 *  from the log later, which a closed store can no longer do. */
export function plain<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

export interface Recorder {
  batches: (readonly Change[])[];
  changes: Change[];
  stop(): void;
}

export function record(storage: Storage, opts: WatchOptions): Recorder {
  const r: Recorder = { batches: [], changes: [], stop: () => {} };
  const handle = storage.watch(opts, (batch) => {
    r.batches.push(batch);
    r.changes.push(...batch);
  });
  r.stop = () => handle.stop();
  return r;
}

/** Creates `count` pods named `${prefix}-${i}` concurrently (one turn) and waits for all of them. */
export function createMany(storage: Storage, namespace: string, prefix: string, count: number) {
  return Promise.all(Array.from({ length: count }, (_, i) => storage.create(podKey(namespace, `${prefix}-${i}`), pod(namespace, `${prefix}-${i}`))));
}

/** Writes (creates then deletes filler pods) until changes after `rv` are no longer retained. */
export async function writeUntilExpired(storage: Storage, rv: number): Promise<void> {
  for (let round = 0; storage.oldestRevision() - 1 <= rv; round++) {
    assert.ok(round < 200, `oldestRevision() stayed at ${storage.oldestRevision()} after ${round * 500} writes`);
    const made = await createMany(storage, 'filler', `f${round}`, 250);
    await Promise.all(made.map((o) => storage.delete(podKey('filler', o.object.metadata.name!))));
  }
}
