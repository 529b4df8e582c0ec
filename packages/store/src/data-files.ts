// Checks the database's files before SQLite opens them, because SQLite's own answers to two situations lose data
// without a word:
//
// - A database file that is missing or 0 bytes next to a WAL: SQLite deletes the WAL (pager.c,
//   pagerOpenWalIfPresent: "if the database is zero pages in size, delete the WAL") and starts a new, empty
//   database. A WAL holds only recent pages, so it cannot be replayed without its database either; the store refuses
//   to open and touches nothing, and the operator decides (restore the database, or move the leftovers away).
// - A damaged WAL: recovery silently keeps the frames before the first bad one and overwrites the rest. The store
//   scans the WAL first (wal-scan.ts), logs what recovery keeps and drops, and keeps a copy of a WAL that loses
//   committed transactions, since SQLite will overwrite and then delete it.
import { copyFileSync, statSync } from 'node:fs';
import type { StorageLogger } from './sqlite-storage.ts';
import { scanWal, type WalScan } from './wal-scan.ts';

const BRAND = Symbol.for('podling.DataFilesError');

/** The files on disk are not safe to open: opening would discard data. Nothing was changed. */
export class DataFilesError extends Error {
  readonly [BRAND] = true;
  constructor(message: string, readonly files: string[]) {
    super(message);
    this.name = 'DataFilesError';
  }
}

export function isDataFilesError(e: unknown): e is DataFilesError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** Size of a file, or undefined when it does not exist. */
function sizeOf(file: string): number | undefined {
  try { return statSync(file).size; } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Throws DataFilesError when `dbPath` is missing or empty while a non-empty WAL, shared-memory index or rollback
 * journal shows that a database lived there. Otherwise scans the WAL (if any), logs what recovery will keep, and
 * returns the scan. `:memory:` and '' have no files.
 */
export function checkDataFiles(dbPath: string, logger: StorageLogger, now = new Date()): WalScan | undefined {
  if (dbPath === ':memory:' || dbPath === '') return undefined;
  const wal = `${dbPath}-wal`;
  const dbSize = sizeOf(dbPath);
  if (dbSize === undefined || dbSize === 0) {
    const evidence = [wal, `${dbPath}-shm`, `${dbPath}-journal`]
      .map((file) => ({ file, size: sizeOf(file) }))
      .filter((f): f is { file: string; size: number } => f.size !== undefined && f.size > 0);
    if (evidence.length > 0) throw refusal(dbPath, dbSize, evidence);
  }
  if (!sizeOf(wal)) return undefined;
  const scan = scanWal(wal);
  const fields = { wal, ...scan };
  const damaged = scan.ignoredCommits > 0 || (!scan.headerValid && scan.frames > 0);
  if (damaged) {
    const copy = `${wal}.damaged-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
    copyFileSync(wal, copy);
    logger.error({ ...fields, copy },
      `the WAL is damaged: SQLite recovers ${scan.recoveredFrames} of its ${scan.frames} frames (${scan.recoveredCommits} transactions) ` +
      `and drops ${scan.ignoredCommits} committed transactions after the damage; the WAL as found is kept at ${copy}`);
  } else if (scan.ignoredFrames > 0) {
    logger.info(fields, `WAL recovery: ${scan.recoveredFrames} of ${scan.frames} frames kept; ${scan.ignoredFrames} frames of an unfinished transaction dropped`);
  } else if (scan.frames > 0) {
    logger.info(fields, `WAL recovery: all ${scan.recoveredFrames} frames kept`);
  }
  return scan;
}

function refusal(dbPath: string, dbSize: number | undefined, evidence: { file: string; size: number }[]): DataFilesError {
  const what = dbSize === undefined ? `the database file ${dbPath} does not exist` : `the database file ${dbPath} is empty (0 bytes)`;
  const found = evidence.map((f) => `${f.file} (${f.size} bytes)`).join(', ');
  return new DataFilesError(
    `refusing to open: ${what}, but ${found} ${evidence.length === 1 ? 'is' : 'are'} left from a database that held data. ` +
    `SQLite would delete ${evidence.length === 1 ? 'it' : 'them'} and start an empty cluster. Nothing was changed. ` +
    `Restore ${dbPath} from the same copy or backup as ${evidence.length === 1 ? 'that file' : 'those files'}; ` +
    `or, to start an empty cluster on purpose, move ${evidence.map((f) => f.file).join(' and ')} out of the way.`,
    [dbPath, ...evidence.map((f) => f.file)]);
}
