// The etcd backend end to end (issue 16): an apiserver on a real 3-member etcd cluster on loopback. Compaction makes
// resuming from before it 410 Expired; killing the etcd leader loses no acknowledged write and writes go on; with
// every member down writes fail with a 5xx Status naming etcd and /readyz is red, and once etcd is back the
// apiserver recovers by itself, its open watches included.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir, startApiserver, startEtcdCluster, waitFor, type EtcdCluster, type RunningApiserver } from '@podling/testkit';
import { call, pod } from './http-helpers.ts';
import { httpWatch } from './watch-reader.ts';

const PODS = '/api/v1/namespaces/default/pods';
let etcd: EtcdCluster;
let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
const etcdArgs = () => ['--controllers', 'none', '--storage-backend', 'etcd3', '--etcd-servers', etcd.endpoints.join(','), '--etcd-compaction-interval', '1s'];

before(async () => {
  tmp = makeTempDir();
  etcd = await startEtcdCluster({ members: 3 });
  srv = await startApiserver({ dbPath: path.join(tmp.dir, 'a.db'), args: etcdArgs() });
});
after(async () => {
  await srv?.stop();
  await etcd?.stop();
  tmp?.remove();
});

/** Index of the member etcd reports as leader (the gRPC gateway's maintenance status). */
async function leader(): Promise<number> {
  const statuses = await Promise.all(etcd.members.map(async (m) => {
    const res = await fetch(`${m.clientUrl}/v3/maintenance/status`, { method: 'POST', body: '{}' });
    return (await res.json()) as { header: { member_id: string }; leader: string };
  }));
  const i = statuses.findIndex((s) => s.header.member_id === s.leader);
  assert.ok(i >= 0, `no leader among ${JSON.stringify(statuses)}`);
  return i;
}

test('after a compaction, a watch or a continued list from before it gets 410 Expired', async () => {
  const first = await call(srv.url, 'POST', PODS, pod('compact-0'));
  assert.equal(first.status, 201);
  const rv = first.body.metadata.resourceVersion;
  assert.equal((await call(srv.url, 'POST', PODS, pod('compact-1'))).status, 201);
  const page = await call(srv.url, 'GET', `${PODS}?limit=1`);
  assert.ok(page.body.metadata.continue);
  // --etcd-compaction-interval 1s: each round compacts to the revision the previous round saw.
  const token = encodeURIComponent(page.body.metadata.continue);
  const continued = await waitFor(async () => {
    await call(srv.url, 'POST', PODS, pod(`compact-filler-${Date.now()}`));
    const res = await call(srv.url, 'GET', `${PODS}?limit=1&continue=${token}`);
    return res.status === 410 ? res : undefined;
  }, { timeoutMs: 15_000, intervalMs: 200, message: 'a continue token from before a compaction expiring' });
  assert.equal(continued.body.reason, 'Expired');
  const watch = await call(srv.url, 'GET', `${PODS}?watch=1&resourceVersion=${rv}&timeoutSeconds=5`);
  const expired = JSON.parse(watch.text.split('\n')[0]);
  assert.equal(expired.type, 'ERROR');
  assert.equal(expired.object.code, 410);
  assert.equal(expired.object.reason, 'Expired');
});

test('killing the etcd leader loses no acknowledged write, and writes continue', async () => {
  const acked = new Map<string, string>();
  const refused: number[] = [];
  let stop = false;
  const writer = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const res = await call(srv.url, 'POST', PODS, pod(`w${w}-${i}`));
      if (res.status === 201) acked.set(res.body.metadata.name, res.body.metadata.resourceVersion);
      else refused.push(res.status); // unacknowledged: the write may or may not have happened
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  try {
    await waitFor(() => acked.size >= 40, { timeoutMs: 15_000, message: 'writes before the kill' });
    const victim = await leader();
    await etcd.kill(victim);
    const atKill = acked.size;
    await waitFor(() => acked.size >= atKill + 100, { timeoutMs: 30_000, message: `writes after killing member ${victim} (${refused.length} refused: ${refused.slice(0, 5)})` });
  } finally {
    stop = true;
    await Promise.all(writers);
  }
  assert.ok(refused.every((s) => s === 503 || s === 504), `refusals are 503/504: ${refused}`);
  // A second apiserver loads from etcd itself: every acknowledged pod is there, at the acknowledged resourceVersion.
  const second = await startApiserver({ dbPath: path.join(tmp.dir, 'b.db'), args: etcdArgs() });
  try {
    const listed = await call(second.url, 'GET', PODS);
    const rvs = new Map<string, string>(listed.body.items.map((p: any) => [p.metadata.name, p.metadata.resourceVersion]));
    const missing = [...acked].filter(([name, rv]) => rvs.get(name) !== rv);
    assert.deepEqual(missing, [], `${missing.length} of ${acked.size} acknowledged pods lost or changed`);
  } finally {
    await second.stop();
  }
  await etcd.restart(etcd.members.findIndex((m) => !m.running));
});

test('with etcd down writes fail with a 5xx naming etcd and /readyz is red; once it is back the apiserver recovers by itself', async () => {
  const rv = (await call(srv.url, 'GET', `${PODS}?limit=1`)).body.metadata.resourceVersion;
  const watch = httpWatch(srv.url, `${PODS}?watch=1&resourceVersion=${rv}`);
  assert.equal(await watch.status, 200);
  await Promise.all(etcd.members.map((_, i) => etcd.kill(i)));
  const ready = await waitFor(async () => {
    const res = await fetch(`${srv.url}/readyz`);
    return res.status !== 200 ? { status: res.status, text: await res.text() } : undefined;
  }, { message: '/readyz turning red' });
  assert.equal(ready.status, 500);
  assert.match(ready.text, /etcd-readiness failed: .*etcd/);
  const refused = await call(srv.url, 'POST', PODS, pod('during-outage'));
  assert.ok(refused.status === 503 || refused.status === 504, `status ${refused.status}: ${refused.text}`);
  assert.equal(refused.body.kind, 'Status');
  assert.match(refused.body.message, /etcd \(http:\/\/127\.0\.0\.1:\d+,.*\) (is unavailable|did not complete)/);

  // All members at once: one alone cannot elect a leader, so restarting them one by one would never be healthy.
  await Promise.all(etcd.members.map((_, i) => etcd.restart(i)));
  await waitFor(async () => (await fetch(`${srv.url}/readyz`)).status === 200, { timeoutMs: 15_000, message: '/readyz green again' });
  // Retried while the client's connections come back; a 409 means an earlier attempt's answer was lost but it landed.
  await waitFor(async () => [201, 409].includes((await call(srv.url, 'POST', PODS, pod('after-outage'))).status),
    { timeoutMs: 15_000, message: 'a create succeeding after the outage' });
  const ev = await watch.log.waitFor((e) => e.object?.metadata?.name === 'after-outage');
  assert.equal(ev.type, 'ADDED');
  assert.ok(!watch.log.events.some((e) => e.object?.metadata?.name === 'during-outage'), 'the refused create was not stored');
  watch.stop();
});
