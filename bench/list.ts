// List 10,000 pods: `GET /api/v1/pods` timed client-side over loopback until the last byte (many repetitions,
// one at a time on a keep-alive connection), the response size, and the server's resident memory with 10,000
// pods stored and then with 1,000 idle watchers (half HTTP, half websocket) connected as well. Baseline in the
// same run: bare-watch-server.ts, which lists by concatenating the pods' JSON texts kept in memory. Then, on fresh
// servers, the memory figures of list-memory.ts at 50,000 pods, and on the same server a watch from their current
// state (watch-initial-state.ts).
// Usage: node --import tsx bench/list.ts [--quick]
import http from 'node:http';
import { runAutocannon } from './harness/autocannon.ts';
import { startBenchApiserver } from './harness/bench-apiserver.ts';
import type { BenchResult, Figure } from './harness/figure.ts';
import { currentResourceVersion, POD_BODY_FILE } from './harness/pod-bodies.ts';
import { summarize, type Summary } from './harness/percentiles.ts';
import { cpuSeconds, freePort, MiB, rssBytes } from '@podling/testkit';
import { startScriptServer, type ServerUnderTest } from './harness/script-server.ts';
import { runStandalone, type BenchOptions } from './harness/standalone.ts';
import { startWatchClients } from './harness/watch-client-pool.ts';
import { describeListMemory, measureListMemory } from './list-memory.ts';
import { describeInitialWatch, measureInitialWatch } from './watch-initial-state.ts';
import { inspectArg } from './harness/inspector.ts';

/** One GET, timed from the request until the response's last byte. */
function timedGet(agent: http.Agent, url: string): Promise<{ ms: number; bytes: number; status: number; body?: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    http.get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const ms = performance.now() - t0;
        const buf = Buffer.concat(chunks);
        resolve({ ms, bytes: buf.length, status: res.statusCode ?? 0, body: res.statusCode === 200 ? undefined : buf.toString().slice(0, 500) });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

interface ListRun { pods: number; createS: number; list: Summary; bytes: number; cpuMsPerList: number; rssPods: number; rssWatchers: number; watchers: number }

async function measureList(server: ServerUnderTest, pods: number, reps: number, watchers: number): Promise<ListRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const t0 = performance.now();
    const load = await runAutocannon({
      url: `${server.url}/api/v1/namespaces/default/pods`, connections: 50, amount: pods, method: 'POST',
      bodyFile: POD_BODY_FILE, headers: { 'content-type': 'application/json' },
    });
    if (load.ok2xx !== pods) throw new Error(`only ${load.ok2xx} of ${pods} creates succeeded (${load.non2xx} non-2xx, ${load.errors} errors)`);
    const createS = (performance.now() - t0) / 1000;
    const url = `${server.url}/api/v1/pods`;
    const first = await timedGet(agent, url);
    if (first.status !== 200) throw new Error(`GET /api/v1/pods: HTTP ${first.status} ${first.body}`);
    const times: number[] = [];
    const cpu0 = cpuSeconds(server.pid);
    for (let i = 0; i < reps; i++) times.push((await timedGet(agent, url)).ms);
    const cpuMsPerList = ((cpuSeconds(server.pid) - cpu0) * 1000) / reps;
    const rssPods = rssBytes(server.pid)!;
    const rv = await currentResourceVersion(server.url);
    const pool = await startWatchClients({
      url: server.url, path: `/api/v1/pods?watch=true&resourceVersion=${rv}`, http: watchers / 2, ws: watchers / 2, maxSeq: 0,
    });
    try {
      if (pool.failed) throw new Error(`${pool.failed} of ${watchers} watches failed to open`);
      await new Promise((r) => setTimeout(r, 500));
      return { pods, createS, list: summarize(times), bytes: first.bytes, cpuMsPerList, rssPods, rssWatchers: rssBytes(server.pid)!, watchers };
    } finally {
      await pool.close();
    }
  } finally {
    agent.destroy();
  }
}

function describe(name: string, r: ListRun, reps: number): string {
  return `${name}: ${r.pods} pods created in ${r.createS.toFixed(1)} s (autocannon, 50 connections); ${reps} sequential GETs after one warm-up: ` +
    `p50 ${r.list.p50.toFixed(1)}, p90 ${r.list.p90.toFixed(1)}, max ${r.list.max.toFixed(1)} ms, ${(r.bytes / MiB).toFixed(1)} MiB each, ` +
    `${r.cpuMsPerList.toFixed(1)} ms server CPU per list; RSS ${(r.rssPods / MiB).toFixed(0)} MiB, ${(r.rssWatchers / MiB).toFixed(0)} MiB with ${r.watchers} idle watchers`;
}

async function withServer<T>(start: () => Promise<ServerUnderTest>, fn: (s: ServerUnderTest) => Promise<T>): Promise<T> {
  const s = await start();
  try { return await fn(s); } finally { await s.stop(); }
}

export async function runList(o: BenchOptions): Promise<BenchResult> {
  const pods = o.quick ? 2000 : 10_000;
  const reps = o.quick ? 5 : 40;
  const watchers = o.quick ? 200 : 1000;
  const bare = await withServer(() => startScriptServer('bench/bare-watch-server.ts'), (s) => measureList(s, pods, reps, watchers));
  const pod = await withServer(() => startBenchApiserver(), (s) => measureList(s, pods, reps, watchers));
  const big = o.quick ? 5000 : 50_000;
  const inspect = await freePort();
  const bareMem = await withServer(() => startScriptServer('bench/bare-watch-server.ts', [inspectArg(inspect)]), (s) => measureListMemory(s, big, inspect));
  const { podMem, watch } = await withServer(() => startBenchApiserver({ nodeArgs: [inspectArg(inspect)] }), async (s) => ({
    podMem: await measureListMemory(s, big, inspect), watch: await measureInitialWatch(s, big, inspect),
  }));
  const vs = (value: number): Partial<Figure> => ({ baseline: { value, label: 'bare-watch-server.ts: concatenated JSON texts', sameRun: true } });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
  return {
    benchmark: 'list',
    notes: [describe('podling', pod, reps), describe('bare', bare, reps), describeListMemory('podling', podMem), describeListMemory('bare', bareMem),
      describeInitialWatch(watch)],
    figures: [
      { name: `GET /api/v1/pods (${pods} pods), p50`, value: pod.list.p50, unit: 'ms', target: { op: '<=', limit: 100 }, ...vs(bare.list.p50),
        ratio: pod.list.p50 / bare.list.p50 },
      { name: `GET /api/v1/pods (${pods} pods), p90`, value: pod.list.p90, unit: 'ms', ...vs(bare.list.p90) },
      { name: 'list response size', value: pod.bytes / MiB, unit: 'MiB', ...vs(bare.bytes / MiB) },
      { name: `apiserver RSS, ${pods} pods`, value: pod.rssPods / MiB, unit: 'MiB', ...vs(bare.rssPods / MiB) },
      { name: `apiserver RSS, ${pods} pods + ${watchers} idle watchers`, value: pod.rssWatchers / MiB, unit: 'MiB', ...vs(bare.rssWatchers / MiB) },
      { name: `RSS per stored pod beyond its JSON (${big} pods, after GC)`, value: podMem.perPodBeyondJson / 1024, unit: 'KiB', target: { op: '<=', limit: 4, source: 'issue 18' },
        ...vs(bareMem.perPodBeyondJson / 1024) },
      { name: `full list (${big} pods), first byte, median of 3`, value: median(podMem.firstByteMs), unit: 'ms', target: { op: '<=', limit: 50, source: 'issue 18' },
        ...vs(median(bareMem.firstByteMs)) },
      { name: `full list (${big} pods), last byte, median of 3`, value: median(podMem.totalMs), unit: 'ms', ...vs(median(bareMem.totalMs)) },
      { name: `RSS growth over three full lists (${big} pods, no GC forced)`, value: (podMem.rssAfterLists - podMem.rssBefore) / MiB, unit: 'MiB',
        ...vs((bareMem.rssAfterLists - bareMem.rssBefore) / MiB) },
      { name: `watch from the current state (${big} pods), first byte`, value: watch.firstByteMs, unit: 'ms' },
      { name: `watch from the current state (${big} pods), longest GET /healthz meanwhile`, value: watch.healthzMaxMs, unit: 'ms' },
    ],
  };
}

runStandalone(import.meta.url, runList);
