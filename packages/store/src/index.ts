// @podling/store — durable storage of API objects: keys, JSON text and revisions, a change log, and a watch
// window in memory. It knows nothing of Pods, validation or HTTP; the apiserver's registry does.
export * from './storage.ts';
export {
  openSqliteStorage, type SqliteStorage, type SqliteStorageOptions, type StorageLogger, type StorageStats,
} from './sqlite-storage.ts';
export { storedVersion } from './stamp.ts';
export { DataFilesError, isDataFilesError } from './data-files.ts';
export type { WalScan } from './wal-scan.ts';
export type { EtcdStorage, EtcdStorageOptions } from './etcd-storage.ts';

/** The etcd backend, loaded on first use: its client (etcd3, gRPC) costs every SQLite apiserver ~0.4 s of start-up. */
export async function openEtcdStorage(opts: import('./etcd-storage.ts').EtcdStorageOptions): Promise<import('./etcd-storage.ts').EtcdStorage> {
  return (await import('./etcd-storage.ts')).openEtcdStorage(opts);
}
