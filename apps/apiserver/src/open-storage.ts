// Opens the storage backend the flags ask for: SQLite in one file (the default), or an etcd cluster shared with
// other apiservers. An unreachable etcd at start is retried for a minute, as kube-apiserver waits for its etcd.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { isStorageError, openEtcdStorage, openSqliteStorage, type Storage, type StorageStats } from '@podling/store';
import type { ApiserverConfig } from './config.ts';

export interface OpenedStorage {
  storage: Storage;
  /** Commit counters for /metrics (SQLite: group commits; etcd: one transaction per write). */
  stats?: () => StorageStats;
  /** Why the store cannot serve right now, for /readyz (etcd only: SQLite in-process is up while we are). */
  health?: () => Promise<string | undefined>;
}

const ETCD_START_PATIENCE_MS = 60_000;

/** Read from the database rather than held in memory: events are most of what a busy cluster stores (~3 per pod,
 *  each written once) and are rarely read, which is why kube-apiserver keeps them out of its watch cache
 *  (DefaultWatchCacheSizes in pkg/kubeapiserver/default_storage_factory_builder.go). */
const UNCACHED_RESOURCES = ['events'];

/** Throws DataFilesError for SQLite files that opening would destroy; Error with a readable message otherwise. */
export async function openStorage(config: ApiserverConfig, logger: Logger): Promise<OpenedStorage> {
  const log = logger.child({ component: 'store' });
  const s = config.storage;
  if (s.backend === 'sqlite') {
    mkdirSync(path.dirname(path.resolve(config.db)), { recursive: true });
    const storage = openSqliteStorage({
      path: config.db, synchronous: config.storageSync, historyLimit: config.watchHistory,
      uncachedResources: UNCACHED_RESOURCES, logger: log,
    });
    return { storage, stats: () => storage.stats() };
  }
  let tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } | undefined;
  try {
    tls = s.caFile || s.certFile
      ? { ca: s.caFile ? readFileSync(s.caFile) : undefined, cert: s.certFile ? readFileSync(s.certFile) : undefined, key: s.keyFile ? readFileSync(s.keyFile) : undefined }
      : undefined;
  } catch (e) {
    throw new Error(`cannot read the etcd CA, certificate or key: ${(e as Error).message}`);
  }
  const deadline = Date.now() + ETCD_START_PATIENCE_MS;
  for (;;) {
    try {
      const storage = await openEtcdStorage({
        endpoints: s.servers, prefix: s.prefix, tls, historyLimit: config.watchHistory,
        compactionIntervalMs: s.compactionIntervalMs, logger: log,
      });
      return { storage, stats: () => storage.stats(), health: () => storage.health() };
    } catch (e) {
      if (!isStorageError(e) || Date.now() > deadline) throw new Error(`cannot load from etcd: ${(e as Error).message}`);
      log.warn({ err: (e as Error).message }, 'etcd not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
