// Issue 7: a bounded soak. One apiserver, one agent, 50 watchers (half chunked HTTP, half websocket) and a loop that
// creates pods, waits for them to run, updates them and deletes the oldest, for PODLING_SOAK_SECONDS (default 15).
// Resource use is sampled once the churn has warmed up and again after every pod is gone: the apiserver's memory
// grows by less than 60 MB (or 50%), descriptors of both processes come back to within a small delta, and no pod
// process is left behind.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { killPodProcesses, makeTempDir, pidsMatching, startApiserver, startKubelet, waitFor, type RunningApiserver, type RunningKubelet } from '@podling/testkit';
import { call, type Res } from './http-helpers.ts';
import { httpWatch, wsWatch, type EventLog } from './watch-reader.ts';
import { sampleProc, type ProcSample } from './soak-proc.ts';

const SECONDS = Number(process.env.PODLING_SOAK_SECONDS ?? 15);
const WARMUP_MS = Math.min(8000, SECONDS * 250);
const WATCHERS = 50;
const MAX_ALIVE = 8;
const FD_DELTA = 10;
const P = '/api/v1/namespaces/default/pods';
const NODE = 'soak-node';

let tmp: ReturnType<typeof makeTempDir> | undefined;
let api: RunningApiserver | undefined;
let agent: RunningKubelet | undefined;
const stops: (() => void)[] = [];
let failed = true;

after(async () => {
  for (const s of stops) s();
  if (failed) for (const p of [agent?.process, api?.process]) if (p) process.stderr.write(`--- output ---\n${p.output().slice(-4000)}\n`);
  await agent?.stop();
  if (agent) killPodProcesses(agent.rootDir);
  await api?.stop();
  tmp?.remove();
});

const soakPod = (name: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { soak: 'yes' } },
  spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '30'] }] },
});

interface Sample { at: string; api: ProcSample; agent: ProcSample; podProcesses: number }

test(`soak: ${SECONDS}s of pod churn under ${WATCHERS} watchers leaks no memory, descriptors or processes`, async (t) => {
  tmp = makeTempDir('podling-soak-');
  api = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db') });
  agent = await startKubelet({ server: api.url, nodeName: NODE, rootDir: path.join(tmp.dir, 'agent'), args: ['--node-status-update-frequency', '1s'] });
  const podsDir = `${agent.rootDir}/pods/`;
  await waitFor(async () => (await call(api!.url, 'GET', `/api/v1/nodes/${NODE}`)).status === 200, { timeoutMs: 15_000, message: 'node registered' });

  const logs: EventLog[] = [];
  for (let i = 0; i < WATCHERS; i++) {
    if (i % 2 === 0) { const w = httpWatch(api.url, `${P}?watch=true`); stops.push(w.stop); logs.push(w.log); assert.equal(await w.status, 200); }
    else { const w = wsWatch(api.url, `${P}?watch=true`); stops.push(w.stop); logs.push(w.log); await w.opened; }
  }

  const sample = (at: string): Sample => ({ at, api: sampleProc(api!.process.pid), agent: sampleProc(agent!.process.pid), podProcesses: pidsMatching(podsDir).length });
  const samples: Sample[] = [];
  const alive: string[] = [];
  let created = 0;
  const t0 = Date.now();
  const endAt = t0 + SECONDS * 1000;
  while (Date.now() < endAt) {
    const name = `soak-${created++}`;
    const r: Res = await call(api.url, 'POST', P, soakPod(name));
    assert.equal(r.status, 201, r.text);
    alive.push(name);
    await waitFor(async () => (await call(api!.url, 'GET', `${P}/${name}`)).body?.status?.phase === 'Running', { timeoutMs: 15_000, message: `${name} Running` });
    const victim = alive[Math.floor(Math.random() * alive.length)];
    const u = await call(api.url, 'PATCH', `${P}/${victim}`, { metadata: { labels: { touched: String(created) } } }, { contentType: 'application/merge-patch+json' });
    assert.ok([200, 404].includes(u.status), u.text);
    if (alive.length > MAX_ALIVE) {
      const d = await call(api.url, 'DELETE', `${P}/${alive.shift()}`);
      assert.ok([200, 404].includes(d.status), d.text);
    }
    if (samples.length === 0 && Date.now() - t0 >= WARMUP_MS) samples.push(sample('after warm-up'));
  }
  if (samples.length === 0) samples.push(sample('after warm-up'));

  for (const name of alive) await call(api.url, 'DELETE', `${P}/${name}`);
  await waitFor(async () => (await call(api!.url, 'GET', P)).body.items.length === 0, { timeoutMs: 20_000, message: 'every pod deleted' });
  await waitFor(() => pidsMatching(podsDir).length === 0, { timeoutMs: 10_000, message: 'no pod process left' });
  const start = samples[0];
  // Descriptors close asynchronously (sockets, log FIFOs): allow them a bounded time to come back.
  await waitFor(() => { const s = sample('end'); return s.api.fds <= start.api.fds + FD_DELTA && s.agent.fds <= start.agent.fds + FD_DELTA; },
    { timeoutMs: 10_000, message: 'descriptors back to the warm-up level' }).catch(() => {});
  samples.push(sample('end, all pods deleted'));

  const end = samples[1];
  const events = logs.reduce((n, l) => n + l.events.length, 0);
  const report = [`${created} pods created in ${Math.round((Date.now() - t0) / 1000)} s, ${events} watch events delivered to ${WATCHERS} watchers`,
    ...samples.map((s) => `${s.at.padEnd(22)} apiserver rss ${s.api.rssMb} MB fds ${s.api.fds} | agent rss ${s.agent.rssMb} MB fds ${s.agent.fds} | pod processes ${s.podProcesses}`)];
  for (const line of report) t.diagnostic(line);

  const growth = end.api.rssMb - start.api.rssMb;
  assert.ok(growth < 60 || end.api.rssMb < start.api.rssMb * 1.5, `apiserver RSS grew by ${growth} MB`);
  assert.ok(end.api.fds <= start.api.fds + FD_DELTA, `apiserver fds ${start.api.fds} → ${end.api.fds}`);
  assert.ok(end.agent.fds <= start.agent.fds + FD_DELTA, `agent fds ${start.agent.fds} → ${end.agent.fds}`);
  assert.equal(end.podProcesses, 0);
  for (const [i, l] of logs.entries()) {
    assert.equal(l.ended, false, `watcher ${i} is still connected`);
    assert.ok(l.events.some((e) => e.type === 'DELETED'), `watcher ${i} saw deletions`);
  }
  assert.equal(api.process.child.exitCode, null);
  assert.equal(agent.process.child.exitCode, null);
  failed = false;
});
