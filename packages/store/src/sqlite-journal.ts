// SQL of the durable log: load everything at open, commit one batch of changes per transaction.
import type Database from 'better-sqlite3';
import type { Change, ChangeType, StoredObject } from './storage.ts';
import type { PrunePlan } from './change-window.ts';
import { openDatabase } from './sqlite-schema.ts';

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
interface ObjectRow { resource: string; namespace: string; name: string; rv: number; value: string }

export class SqliteJournal {
  /** Not private only for fault-injection tests. */
  readonly db: Database.Database;
  private readonly commitTx: (batch: readonly Change[], plan: PrunePlan) => void;

  constructor(path: string, synchronous: 'FULL' | 'NORMAL') {
    this.db = openDatabase(path, synchronous);
    const db = this.db;
    const upsertObject = db.prepare(
      `INSERT INTO objects (resource, namespace, name, rv, value) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (resource, namespace, name) DO UPDATE SET rv = excluded.rv, value = excluded.value`);
    const deleteObject = db.prepare('DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?');
    const insertChange = db.prepare(
      `INSERT INTO changes (rv, resource, namespace, name, type, value, prev_rv, prev_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    const setPrevValue = db.prepare('UPDATE changes SET prev_value = ? WHERE rv = ?');
    const deleteChanges = db.prepare('DELETE FROM changes WHERE rv <= ?');
    const setCompacted = db.prepare(`INSERT INTO meta (key, value) VALUES ('compacted_rv', ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`);

    this.commitTx = db.transaction((batch: readonly Change[], plan: PrunePlan) => {
      for (const c of batch) {
        const { resource, namespace, name } = c.key;
        if (c.type === 'DELETED') deleteObject.run(resource, namespace, name);
        else upsertObject.run(resource, namespace, name, c.rv, c.current.json);
        if (c.rv <= plan.compactedRv) continue; // pruned by this very commit
        const prev = c.previous;
        const prevValue = prev && prev.rv <= plan.compactedRv ? prev.json : null;
        insertChange.run(c.rv, resource, namespace, name, c.type, c.current.json, prev?.rv ?? null, prevValue);
      }
      if (plan.dropCount > 0) {
        for (const c of plan.orphaned) setPrevValue.run(c.previous!.json, c.rv);
        deleteChanges.run(plan.compactedRv);
        setCompacted.run(plan.compactedRv);
      }
    });
  }

  /** Writes one batch (changes in rv order) and the prune planned for it in a single transaction; throws on failure
   *  with nothing written. */
  commit(batch: readonly Change[], plan: PrunePlan): void {
    this.commitTx(batch, plan);
  }

  /** Prunes the log to `historyLimit` changes (the limit may have shrunk since the last run), then reads it all. */
  load(historyLimit: number): LoadedState {
    const db = this.db;
    return db.transaction(() => {
      let compactedRv = (db.prepare(`SELECT value FROM meta WHERE key = 'compacted_rv'`).pluck().get() as number | undefined) ?? 0;
      const cutoff = db.prepare('SELECT rv FROM changes ORDER BY rv DESC LIMIT 1 OFFSET ?').pluck().get(historyLimit) as number | undefined;
      if (cutoff !== undefined && cutoff > compactedRv) {
        compactedRv = cutoff;
        db.prepare(`UPDATE changes SET prev_value = (SELECT p.value FROM changes AS p WHERE p.rv = changes.prev_rv)
          WHERE rv > @c AND prev_value IS NULL AND prev_rv IS NOT NULL AND prev_rv <= @c`).run({ c: compactedRv });
        db.prepare('DELETE FROM changes WHERE rv <= ?').run(compactedRv);
        db.prepare(`INSERT INTO meta (key, value) VALUES ('compacted_rv', ?)
          ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(compactedRv);
      }

      // A change's current state is shared with the objects row of the same revision (memory is per state, not per row).
      const states = new Map<number, StoredObject>();
      const changes: Change[] = [];
      let missingPrevious = 0;
      for (const row of db.prepare('SELECT * FROM changes ORDER BY rv').iterate() as IterableIterator<ChangeRow>) {
        const current = stored(row.value, row.rv);
        let previous: StoredObject | undefined;
        if (row.prev_rv !== null) {
          previous = row.prev_value !== null ? stored(row.prev_value, row.prev_rv) : states.get(row.prev_rv);
          if (!previous) missingPrevious++;
        }
        if (row.type !== 'DELETED') states.set(row.rv, current);
        const key = { resource: row.resource, namespace: row.namespace, name: row.name };
        changes.push(previous ? { type: row.type, rv: row.rv, key, current, previous } : { type: row.type, rv: row.rv, key, current });
      }

      const objects: LoadedObject[] = [];
      let revision = changes.length > 0 ? changes[changes.length - 1].rv : compactedRv;
      for (const row of db.prepare('SELECT resource, namespace, name, rv, value FROM objects').iterate() as IterableIterator<ObjectRow>) {
        objects.push({ resource: row.resource, namespace: row.namespace, name: row.name, stored: states.get(row.rv) ?? stored(row.value, row.rv) });
        if (row.rv > revision) revision = row.rv;
      }
      return { revision, compactedRv, objects, changes, missingPrevious };
    }).immediate();
  }

  close(): void {
    this.db.close();
  }
}

function stored(json: string, rv: number): StoredObject {
  return { object: JSON.parse(json), json, rv };
}
