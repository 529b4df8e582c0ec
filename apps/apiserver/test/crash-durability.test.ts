// Issue 7: kill -9 under write load. Fifty clients create pods as fast as they can; the apiserver is SIGKILLed at two
// different moments (early, while the first group commits are in flight, and after a thousand acknowledgements).
// After each restart on the same SQLite file every create that was acknowledged with 201 is present with the
// resourceVersion it was acknowledged with, every stored row is a complete pod, and new writes get larger
// resourceVersions than any seen before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makeTempDir, startApiserver, waitExit, waitFor, type RunningApiserver } from '@podling/testkit';
import { pod } from './http-helpers.ts';

const CLIENTS = 50;
const P = '/api/v1/namespaces/default/pods';

let tmp: ReturnType<typeof makeTempDir>;
let dbPath: string;
let srv: RunningApiserver | undefined;
/** name → resourceVersion of every create answered 201, over all rounds. */
const acked = new Map<string, number>();
let maxSeen = 0;

before(() => {
  tmp = makeTempDir('podling-crash-');
  dbPath = path.join(tmp.dir, 'podling.db');
});
after(async () => {
  await srv?.stop();
  tmp?.remove();
});

const start = async () => { srv = await startApiserver({ dbPath, args: ['--controllers', 'none'], storage: 'sqlite' }); return srv; };

/** Each client creates pods until its request fails (the server died); answers other than 201 are failures. */
function createLoad(url: string, round: string): { stopped: Promise<void>; failures: string[] } {
  const failures: string[] = [];
  const client = async (c: number) => {
    for (let i = 0; ; i++) {
      const name = `${round}-c${c}-${i}`;
      let res: Response;
      try {
        res = await fetch(url + P, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pod(name)) });
      } catch { return; }
      let body: any;
      try { body = await res.json(); } catch { return; } // connection cut while reading the answer: not acknowledged
      if (res.status !== 201) { failures.push(`${name}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`); return; }
      const rv = Number(body.metadata.resourceVersion);
      acked.set(name, rv);
      maxSeen = Math.max(maxSeen, rv);
    }
  };
  return { stopped: Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c))).then(() => {}), failures };
}

async function killUnderLoad(round: string, killAfterAcks: number): Promise<void> {
  const s = await start();
  const before = acked.size;
  const load = createLoad(s.url, round);
  await waitFor(() => acked.size - before >= killAfterAcks, { timeoutMs: 30_000, message: `${killAfterAcks} creates acknowledged in round ${round}` });
  s.process.kill('SIGKILL');
  await waitExit(s.process);
  await load.stopped;
  srv = undefined;
  assert.deepEqual(load.failures, [], 'no create was refused before the kill');
  assert.equal((await s.process.exited).signal, 'SIGKILL');
}

async function assertDurable(s: RunningApiserver): Promise<void> {
  const list = await (await fetch(`${s.url}${P}`)).json();
  const stored = new Map<string, any>(list.items.map((p: any) => [p.metadata.name, p]));
  const missing = [...acked].filter(([name]) => !stored.has(name));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged creates are missing after the restart`);
  const changed = [...acked].filter(([name, rv]) => Number(stored.get(name).metadata.resourceVersion) !== rv);
  assert.deepEqual(changed.slice(0, 10), [], 'acknowledged pods keep the resourceVersion they were acknowledged with');
  for (const p of stored.values()) {
    assert.match(p.metadata.uid, /^[0-9a-f-]{36}$/, JSON.stringify(p));
    assert.equal(p.spec.containers[0].name, 'app');
    maxSeen = Math.max(maxSeen, Number(p.metadata.resourceVersion));
  }
  assert.ok(Number(list.metadata.resourceVersion) >= maxSeen, 'the list revision is not behind any acknowledged write');
  const next = await fetch(`${s.url}${P}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pod(`after-${acked.size}`)) });
  const body = await next.json();
  assert.equal(next.status, 201, JSON.stringify(body));
  assert.ok(Number(body.metadata.resourceVersion) > maxSeen, `next write rv ${body.metadata.resourceVersion} > ${maxSeen}`);
  acked.set(body.metadata.name, Number(body.metadata.resourceVersion));
  maxSeen = Number(body.metadata.resourceVersion);
}

test('kill -9 while the first group commits are in flight loses no acknowledged create', async (t) => {
  await killUnderLoad('early', 20);
  t.diagnostic(`killed after ${acked.size} acknowledged creates (highest rv ${maxSeen})`);
  await assertDurable(await start());
  await srv!.stop();
  srv = undefined;
});

test('kill -9 after a thousand acknowledged creates loses none of them, and revisions keep increasing', async (t) => {
  await killUnderLoad('late', 1000);
  t.diagnostic(`killed with ${acked.size} acknowledged creates in total (highest rv ${maxSeen})`);
  await assertDurable(await start());
  await srv!.stop();
  srv = undefined;
});

test('every row of the log on disk is a complete pod in valid JSON with a uid, at the revision its create was acknowledged with', () => {
  const db = new Database(dbPath, { readonly: true });
  try {
    // Only creates ran, so each pod has exactly one row (the log keeps live objects' current states).
    const rows = db.prepare("SELECT name, rv, type, value FROM changes WHERE resource = 'pods'").all() as { name: string; rv: number; type: string; value: string }[];
    assert.ok(rows.length >= acked.size, `${rows.length} rows for ${acked.size} acknowledged creates`);
    assert.equal(new Set(rows.map((r) => r.name)).size, rows.length, 'one row per pod');
    for (const r of rows) {
      assert.equal(r.type, 'ADDED');
      const p = JSON.parse(r.value);
      assert.equal(p.metadata.name, r.name);
      assert.equal(p.metadata.resourceVersion, String(r.rv));
      assert.match(p.metadata.uid, /^[0-9a-f-]{36}$/);
      if (acked.has(r.name)) assert.equal(r.rv, acked.get(r.name), r.name);
    }
    const maxRv = (db.prepare('SELECT MAX(rv) AS rv FROM changes').get() as { rv: number }).rv;
    assert.ok(maxRv >= maxSeen, `the log reaches ${maxRv}, highest acknowledged ${maxSeen}`);
  } finally { db.close(); }
});
