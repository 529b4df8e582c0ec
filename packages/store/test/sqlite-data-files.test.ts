// Issue 14.9: an empty database file next to an intact WAL started a new, empty cluster and SQLite deleted the WAL
// (3,439 pods gone, no warning). Here at small scale: a child process creates pods until it is killed with -9, then
// the files are tampered with as a bad copy or a truncation would, and the store must refuse rather than start
// empty, leave every file as it was, and report what recovery keeps when the WAL itself is damaged.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { makeTempDir, waitFor } from '@podling/testkit';
import { isDataFilesError, openSqliteStorage, type StorageLogger } from '../src/index.ts';
import { scanWal } from '../src/wal-scan.ts';
import { podKey } from './contract/harness.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, 'fixtures/create-loop.ts');

interface Acked { name: string; rv: number }

/** Runs the create loop on `dbPath` until `count` creates were acknowledged, then kills it with SIGKILL. */
async function createThenKill(dbPath: string, count: number, prefix = 'p'): Promise<Acked[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dbPath, '10', prefix], { cwd: path.resolve(here, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  try {
    await waitFor(() => out.split('\n').length > count + 1 || child.exitCode !== null, { timeoutMs: 30_000, message: `${count} creates acknowledged` });
  } finally {
    child.kill('SIGKILL');
  }
  assert.equal(await exited, 'SIGKILL', `the create loop ended on its own:\n${err}`);
  return out.split('\n').slice(1, -1).map((l) => l.split(' ')).map(([name, rv]) => ({ name, rv: Number(rv) }));
}

function recordingLogger(): StorageLogger & { entries: { level: string; o: any; msg?: string }[] } {
  const entries: { level: string; o: any; msg?: string }[] = [];
  return {
    entries,
    info: (o, msg) => entries.push({ level: 'info', o, msg }),
    warn: (o, msg) => entries.push({ level: 'warn', o, msg }),
    error: (o, msg) => entries.push({ level: 'error', o, msg }),
  };
}

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const size = (file: string) => (existsSync(file) ? statSync(file).size : undefined);

/** Opening must throw DataFilesError naming `files`, and leave the directory exactly as it was. */
function assertRefused(dbPath: string, files: string[]): void {
  const dir = path.dirname(dbPath);
  const before = Object.fromEntries(readdirSync(dir).map((f) => [f, digest(path.join(dir, f))]));
  assert.throws(() => openSqliteStorage({ path: dbPath }), (e: unknown) => {
    assert.ok(isDataFilesError(e), `expected DataFilesError, got ${String(e)}`);
    for (const f of files) assert.ok(e.message.includes(f), `the message names ${f}: ${e.message}`);
    assert.match(e.message, /Nothing was changed/);
    assert.deepEqual(e.files, files);
    return true;
  });
  const after = Object.fromEntries(readdirSync(dir).map((f) => [f, digest(path.join(dir, f))]));
  assert.deepEqual(after, before, 'no file was created, changed or deleted');
}

describe('data files left by a crash', () => {
  test('issue 14.9: an empty database file next to the WAL of a killed process is refused; restoring the database recovers every acknowledged pod', async () => {
    const tmp = makeTempDir('podling-datafiles-');
    const db = path.join(tmp.dir, 'state.db');
    try {
      const acked = await createThenKill(db, 300);
      assert.ok((size(`${db}-wal`) ?? 0) > 0, 'the killed process left a WAL');
      copyFileSync(db, path.join(tmp.dir, 'backup.db'));
      truncateSync(db, 0);
      assertRefused(db, [db, `${db}-wal`]);

      copyFileSync(path.join(tmp.dir, 'backup.db'), db);
      const logger = recordingLogger();
      const storage = openSqliteStorage({ path: db, logger });
      try {
        const lost = acked.filter((a) => storage.get(podKey('crash', a.name))?.rv !== a.rv);
        assert.deepEqual(lost, [], 'the WAL was kept intact, so nothing acknowledged is lost');
        assert.deepEqual(logger.entries.filter((e) => e.level !== 'info'), [], 'a clean crash is not reported as damage');
        assert.ok(logger.entries.some((e) => e.o.wal === `${db}-wal` && e.o.recoveredFrames > 0), 'what recovery kept is logged');
      } finally {
        await storage.close();
      }
    } finally {
      tmp.remove();
    }
  });

  test('issue 14.9: a missing database file next to a WAL is refused, and no new database is created', async () => {
    const tmp = makeTempDir('podling-datafiles-');
    const db = path.join(tmp.dir, 'state.db');
    try {
      await createThenKill(db, 50);
      rmSync(db);
      assertRefused(db, [db, `${db}-wal`]);
    } finally {
      tmp.remove();
    }
  });

  for (const leftover of ['-shm', '-journal']) {
    test(`a non-empty ${leftover} file next to a missing database is evidence of data too`, () => {
      const tmp = makeTempDir('podling-datafiles-');
      const db = path.join(tmp.dir, 'state.db');
      try {
        writeFileSync(db + leftover, Buffer.alloc(4096, 1));
        assertRefused(db, [db, db + leftover]);
      } finally {
        tmp.remove();
      }
    });
  }

  test('empty leftovers hold no data: a new database is created next to a 0-byte WAL', async () => {
    const tmp = makeTempDir('podling-datafiles-');
    const db = path.join(tmp.dir, 'state.db');
    try {
      writeFileSync(`${db}-wal`, '');
      const storage = openSqliteStorage({ path: db });
      assert.equal(storage.currentRevision(), 0);
      await storage.close();
    } finally {
      tmp.remove();
    }
  });

  test('issue 14.9: a damaged WAL is logged as an error with the frames and transactions recovery keeps and drops, and kept as found', async () => {
    const tmp = makeTempDir('podling-datafiles-');
    const db = path.join(tmp.dir, 'state.db');
    try {
      const wal = `${db}-wal`;
      // A kill just after a checkpoint restarted the WAL leaves nothing in it to damage; run on until it holds some.
      const acked = await createThenKill(db, 100);
      let intact = scanWal(wal);
      for (let run = 1; intact.recoveredCommits <= 4 && run <= 5; run++) {
        acked.push(...await createThenKill(db, 50, `run${run}`));
        intact = scanWal(wal);
      }
      assert.ok(intact.recoveredCommits > 4, `the WAL holds several transactions: ${JSON.stringify(intact)}`);
      // One flipped bit in the page of a frame in the middle of what recovery would keep.
      const bytes = readFileSync(wal);
      const frame = Math.floor(intact.recoveredFrames / 2);
      bytes[32 + frame * (24 + intact.pageSize) + 24 + 100] ^= 0x10;
      writeFileSync(wal, bytes);
      const damaged = digest(wal);

      const logger = recordingLogger();
      const storage = openSqliteStorage({ path: db, logger });
      try {
        const report = logger.entries.find((e) => e.level === 'error');
        assert.ok(report, `an error is logged: ${JSON.stringify(logger.entries)}`);
        assert.equal(report.o.wal, wal);
        assert.equal(report.o.frames, intact.frames);
        assert.ok(report.o.recoveredFrames <= frame, `recovery stops before the damaged frame ${frame}: ${JSON.stringify(report.o)}`);
        assert.ok(report.o.ignoredCommits > 0);
        assert.match(report.msg!, /SQLite recovers \d+ of its \d+ frames .* drops \d+ committed transactions/);
        assert.equal(digest(report.o.copy), damaged, 'the WAL as found is kept');
        const lost = acked.filter((a) => storage.get(podKey('crash', a.name))?.rv !== a.rv);
        assert.ok(lost.length > 0, 'the damage really costs acknowledged pods: that is what the log says');
      } finally {
        await storage.close();
      }
    } finally {
      tmp.remove();
    }
  });
});
