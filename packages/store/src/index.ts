// @podling/store — durable storage of API objects: keys, JSON text and revisions, a change log, and a watch
// window in memory. It knows nothing of Pods, validation or HTTP; the apiserver's registry does.
export * from './storage.ts';
export {
  openSqliteStorage, type SqliteStorage, type SqliteStorageOptions, type StorageLogger, type StorageStats,
} from './sqlite-storage.ts';
export { DataFilesError, isDataFilesError } from './data-files.ts';
export type { WalScan } from './wal-scan.ts';
export { openEtcdStorage, type EtcdStorage, type EtcdStorageOptions } from './etcd-storage.ts';
