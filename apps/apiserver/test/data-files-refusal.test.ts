// Issue 14.9 end to end: an apiserver killed with -9 leaves its pods in the WAL; with its database file emptied it
// used to start a new, empty cluster and SQLite deleted the WAL. It must exit 3 with a message naming the files and
// what to do, change nothing, and serve every pod again once the database file is restored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, startApiserver, startTs, waitExit } from '@podling/testkit';
import { pod } from './http-helpers.ts';

const P = '/api/v1/namespaces/default/pods';

test('issue 14.9: an emptied database next to a WAL makes the apiserver exit 3 and touch nothing; restored, every pod is back', async (t) => {
  const tmp = makeTempDir('podling-datafiles-');
  t.after(() => tmp.remove());
  const db = path.join(tmp.dir, 'podling.db');
  const first = await startApiserver({ dbPath: db, args: ['--controllers', 'none'], storage: 'sqlite' });
  t.after(() => first.stop());
  for (let i = 0; i < 20; i++) {
    const res = await fetch(first.url + P, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pod(`p${i}`)) });
    assert.equal(res.status, 201);
  }
  first.process.kill('SIGKILL');
  await waitExit(first.process);

  copyFileSync(db, path.join(tmp.dir, 'backup.db'));
  truncateSync(db, 0);
  const wal = readFileSync(`${db}-wal`);
  assert.ok(wal.length > 0);
  const refused = startTs('apps/apiserver/src/main.ts', { args: ['--port', '0', '--db', db, '--controllers', 'none'] });
  t.after(() => refused.stop());
  assert.equal((await refused.exited).code, 3, refused.output());
  const message = refused.output();
  assert.match(message, /refusing to open: the database file .*podling\.db is empty \(0 bytes\)/);
  assert.ok(message.includes(`${db}-wal (${wal.length} bytes)`), message);
  assert.match(message, /Nothing was changed\. Restore .* or, to start an empty cluster on purpose, move /);
  assert.equal(statSync(db).size, 0, 'the database file is left as it was');
  assert.deepEqual(readFileSync(`${db}-wal`), wal, 'the WAL is left as it was');

  copyFileSync(path.join(tmp.dir, 'backup.db'), db);
  const restored = await startApiserver({ dbPath: db, args: ['--controllers', 'none'], storage: 'sqlite' });
  t.after(() => restored.stop());
  const list = await (await fetch(restored.url + P)).json();
  assert.deepEqual(list.items.map((p: any) => p.metadata.name).sort(), Array.from({ length: 20 }, (_, i) => `p${i}`).sort());
});
