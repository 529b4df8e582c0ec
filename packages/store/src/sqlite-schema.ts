// The whole on-disk schema, its pragmas and its migrations. SQLite is the durable log and the source on restart;
// reads are served from memory (sqlite-storage.ts) or, for resources kept out of it, by revision (the primary key),
// so the tables are shaped for appending and reloading.
import Database from 'better-sqlite3';

/**
 * - journal_mode=WAL: a commit appends to the WAL, readers never block the writer.
 * - synchronous=FULL (default): the WAL is fsynced at every commit, so an acknowledged write survives power loss.
 *   Group commit makes this almost free (measured here: 14.2k vs 14.4k creates/s). NORMAL survives a process
 *   crash (kill -9) but may lose the last commits on power loss.
 * - cache_size=-8192: 8 MiB page cache. Reads are mostly served from memory, so the cache holds mainly the pages a commit
 *   touches (the log's newest rows, the pruned oldest ones). At 64 MiB it was resident in full once the log outgrew it
 *   (a 213 MiB database at 30,000 pods in bench/scale.ts), for the same create rate (bench/creates.ts: 4.3-5.3k/s at
 *   64 MiB against 4.8-4.9k/s at 8 MiB in one morning's runs).
 * - wal_autocheckpoint=200 pages (~800 KiB): the checkpoint runs inside whichever COMMIT crosses it and stalls the
 *   event loop for as long as it copies, so shorter and more frequent is better for latency. Measured with 50 HTTP
 *   clients creating pods (4 runs each): p99 16-20 ms at 200 pages against 20-23 ms at SQLite's default 1000, at
 *   the same or a slightly higher rate; 10000 pages doubled p99 (66 vs 33 ms) in an earlier measurement.
 * - locking_mode=EXCLUSIVE: this process is the only writer and keeps all state in memory; a second process on the
 *   same file would diverge silently, so it must fail at open instead (busy after `timeout`).
 */
export function openDatabase(path: string, synchronous: 'FULL' | 'NORMAL'): Database.Database {
  const db = new Database(path, { timeout: 2000 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal' && path !== ':memory:') throw new Error(`journal_mode=WAL refused (got ${mode})`);
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('cache_size = -8192');
    db.pragma('wal_autocheckpoint = 200');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Each entry migrates from version i to i+1; PRAGMA user_version records how many ran. */
const MIGRATIONS: string[] = [
  `
  -- Current state only: one row per live object, so a reload never scans history.
  CREATE TABLE objects (
    id INTEGER PRIMARY KEY,
    resource TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    rv INTEGER NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (resource, namespace, name)
  );
  -- The change log, pruned to the history limit. value is the object after the change (for DELETED: the last state
  -- stamped with the deletion revision). prev_rv is the revision of the state before the change; prev_value holds
  -- that state only when its own change row has been pruned (see ChangeWindow.planPrune).
  CREATE TABLE changes (
    rv INTEGER PRIMARY KEY,
    resource TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
    value TEXT NOT NULL,
    prev_rv INTEGER,
    prev_value TEXT
  );
  -- compacted_rv: every change with a higher revision is in the log.
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  );
  `,
  // v2: one row per change, written once. `changes` becomes the whole log: a row with rv <= compacted_rv is the
  // current state of a live object (nothing else of that age is kept: a replaced or deleted state's row goes when
  // it leaves the window), the rows above it are the window. The objects table duplicated every current state's
  // JSON, doubling what each commit wrote and fsynced.
  `
  INSERT INTO changes (rv, resource, namespace, name, type, value)
    SELECT rv, resource, namespace, name, 'ADDED', value FROM objects WHERE rv NOT IN (SELECT rv FROM changes);
  DROP TABLE objects;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`database schema version ${version} is newer than this build supports (${SCHEMA_VERSION})`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
