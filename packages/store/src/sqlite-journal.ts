// SQL of the durable log: load everything at open, commit one batch of changes per transaction.
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Change, ChangeType, StoredObject } from './storage.ts';
import type { PrunePlan } from './change-window.ts';
import { openDatabase } from './sqlite-schema.ts';
import { fullKey } from './object-key.ts';
import { storedFromJson, type StateReader } from './stamp.ts';

export interface LoadedObject { resource: string; namespace: string; name: string; stored: StoredObject }

export interface LoadedState {
  /** Revision of the last committed write. */
  revision: number;
  compactedRv: number;
  objects: LoadedObject[];
  /** Retained changes in rv order. */
  changes: Change[];
  /** Changes whose previous state could not be found (should be 0; logged by the caller). */
  missingPrevious: number;
}

interface ChangeRow {
  rv: number; resource: string; namespace: string; name: string; type: ChangeType; value: string;
  prev_rv: number | null; prev_value: string | null;
}

export class SqliteJournal implements StateReader {
  /** Not private only for fault-injection tests. */
  readonly db: Database.Database;
  private readonly commitTx: (batch: readonly Change[], plan: PrunePlan) => void;
  private readonly selectValue: Database.Statement<[number], string>;
  private readonly selectPrevValue: Database.Statement<[number, number], string | null>;
  private readonly walPath: string | undefined;
  private walFd: number | undefined;

  /**
   * `durable` (synchronous=FULL for the caller): every commit must reach the disk before it is acknowledged. SQLite
   * itself runs with synchronous=NORMAL, which in WAL mode syncs only around checkpoints, and the caller syncs the
   * WAL after each commit with syncWal(): the same guarantee as SQLite's FULL (whose only addition in WAL mode is
   * that sync at every commit), but the wait happens on libuv's thread pool instead of stalling the event loop.
   */
  constructor(path: string, readonly durable: boolean) {
    this.db = openDatabase(path, 'NORMAL');
    this.walPath = path === ':memory:' || path === '' ? undefined : `${path}-wal`;
    const db = this.db;
    const insertRow = db.prepare(
      `INSERT INTO changes (rv, resource, namespace, name, type, value, prev_rv, prev_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    const deleteRow = db.prepare('DELETE FROM changes WHERE rv = ?');
    const setPrevValue = db.prepare('UPDATE changes SET prev_value = ? WHERE rv = ?');
    this.selectValue = db.prepare<[number], string>('SELECT value FROM changes WHERE rv = ?').pluck();
    this.selectPrevValue = db.prepare<[number, number], string | null>('SELECT prev_value FROM changes WHERE rv = ? AND prev_rv = ?').pluck();
    const setCompacted = db.prepare(`INSERT INTO meta (key, value) VALUES ('compacted_rv', ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`);

    // Each change is written once, as one row; the log keeps a row while the watch window needs it or while it is
    // its object's current state (see the schema). Appending is the whole cost of a create.
    this.commitTx = db.transaction((batch: readonly Change[], plan: PrunePlan) => {
      const compacted = plan.compactedRv;
      // Only a batch longer than the history limit reaches past the window itself.
      let replacedInBatch: Set<number> | undefined;
      if (batch.length > 0 && batch[0].rv <= compacted) {
        replacedInBatch = new Set();
        for (const c of batch) if (c.previous) replacedInBatch.add(c.previous.rv);
      }
      for (const c of batch) {
        const { resource, namespace, name } = c.key;
        const prev = c.previous;
        // A replaced state outside the window is needed by nobody once this change carries it as prev_value.
        if (prev && prev.rv <= compacted) deleteRow.run(prev.rv);
        if (c.rv <= compacted) {
          if (c.type !== 'DELETED' && !replacedInBatch!.has(c.rv)) insertRow.run(c.rv, resource, namespace, name, c.type, c.current.json, null, null);
          continue;
        }
        const prevValue = prev && prev.rv <= compacted ? prev.json : null;
        insertRow.run(c.rv, resource, namespace, name, c.type, c.current.json, prev?.rv ?? null, prevValue);
      }
      if (plan.dropCount > 0) {
        // prev_value first: an orphaned change's previous state may be read from a row about to go.
        for (const c of plan.orphaned) setPrevValue.run(c.previous!.json, c.rv);
        for (const rv of plan.deadRows) deleteRow.run(rv);
        setCompacted.run(compacted);
      }
    });
  }

  /** Writes one batch (changes in rv order) and the prune planned for it in a single transaction; throws on failure
   *  with nothing written. An empty batch only prunes. */
  commit(batch: readonly Change[], plan: PrunePlan): void {
    this.commitTx(batch, plan);
  }

  /** Reads the whole log: rows at or below compacted_rv are objects' current states, the rest the change window. */
  load(): LoadedState {
    const db = this.db;
    return db.transaction(() => {
      const compactedRv = (db.prepare(`SELECT value FROM meta WHERE key = 'compacted_rv'`).pluck().get() as number | undefined) ?? 0;
      // A change's current state is shared with its object's entry (memory is per state, not per row).
      const states = new Map<number, StoredObject>();
      const live = new Map<string, LoadedObject>();
      const changes: Change[] = [];
      let revision = compactedRv;
      let missingPrevious = 0;
      for (const row of db.prepare('SELECT * FROM changes ORDER BY rv').iterate() as IterableIterator<ChangeRow>) {
        const current = storedFromJson(row.resource, row.value, row.rv);
        const key = { resource: row.resource, namespace: row.namespace, name: row.name };
        const k = fullKey(key);
        revision = row.rv;
        if (row.rv <= compactedRv) {
          states.set(row.rv, current);
          live.set(k, { ...key, stored: current });
          continue;
        }
        let previous: StoredObject | undefined;
        if (row.prev_rv !== null) {
          previous = row.prev_value !== null ? storedFromJson(row.resource, row.prev_value, row.prev_rv) : states.get(row.prev_rv);
          if (!previous) missingPrevious++;
        }
        if (row.type === 'DELETED') live.delete(k);
        else {
          states.set(row.rv, current);
          live.set(k, { ...key, stored: current });
        }
        changes.push(previous ? { type: row.type, rv: row.rv, key, current, previous } : { type: row.type, rv: row.rv, key, current });
      }
      return { revision: Math.max(revision, compactedRv), compactedRv, objects: [...live.values()], changes, missingPrevious };
    }).immediate();
  }

  /** The JSON text of the state written at rv: its own row while the log keeps it (a current state's row always is),
   *  else the copy the row of the change at successorRv took when it replaced that state outside the window. */
  readState(rv: number, successorRv?: number): string | undefined {
    return this.selectValue.get(rv) ?? (successorRv === undefined ? undefined : this.selectPrevValue.get(successorRv, rv) ?? undefined);
  }

  /** Whether syncWal() has anything to do: a durable journal on a file. */
  get syncsWal(): boolean { return this.durable && this.walPath !== undefined; }

  /** fdatasync of the WAL file (any descriptor of the file will do), off the event loop; `done` runs later. */
  syncWal(done: (err: Error | null) => void): void {
    let fd: number;
    try {
      fd = this.walFd ??= openSync(this.walPath!, 'r');
    } catch (err) {
      process.nextTick(done, err as Error);
      return;
    }
    fdatasync(fd, done);
  }

  syncWalNow(): void {
    fdatasyncSync(this.walFd ??= openSync(this.walPath!, 'r'));
  }

  close(): void {
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
    this.db.close();
  }
}
