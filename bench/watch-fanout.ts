// Watch fan-out (issue 3): 1,000 watchers of all pods — half chunked HTTP, half websocket — in a separate client
// process, then 100 pod creates/s for ~10 s. Each create carries its number in a label; the writer records when it
// was sent and acknowledged, every watcher records when it received it (one machine, one clock:
// performance.timeOrigin + performance.now()). Reported: ack → receipt over all (event, watcher) pairs, ack →
// received-by-all-1,000 per event, deliveries/s, and the server's RSS and CPU with the watchers connected.
// Baseline in the same run: bare-watch-server.ts (serialize once, write to every socket, no storage) under the
// same clients and writer.
// Usage: node --import tsx bench/watch-fanout.ts [--quick]
import { startBenchApiserver } from './harness/bench-apiserver.ts';
import type { BenchResult, Figure } from './harness/figure.ts';
import { currentResourceVersion, namedPodBody } from './harness/pod-bodies.ts';
import { nowMs, summarize, type Summary } from './harness/percentiles.ts';
import { cpuSeconds, MiB, rssBytes } from '@podling/testkit';
import { startScriptServer, type ServerUnderTest } from './harness/script-server.ts';
import { runStandalone, type BenchOptions } from './harness/standalone.ts';
import { SEQ_LABEL, startWatchClients, type ClientReport } from './harness/watch-client-pool.ts';

const WRITES_PER_SECOND = 100;
const WRITE_TIMEOUT_MS = 30_000;

interface WriteLog { sends: number[]; acks: number[]; failed: number; reasons: Map<string, number> }

/** Open-loop writer: write i is sent at start + i/rate whether or not earlier writes were acknowledged. */
async function writeAtRate(url: string, count: number, perSecond: number, prefix = 'fan'): Promise<WriteLog> {
  const bodies = Array.from({ length: count }, (_, i) => namedPodBody(`${prefix}-${i}`, prefix === 'fan' ? { [SEQ_LABEL]: String(i) } : {}));
  const sends = new Array<number>(count).fill(0);
  const acks = new Array<number>(count).fill(0);
  let failed = 0;
  const reasons = new Map<string, number>();
  const fail = (why: string) => { failed++; reasons.set(why, (reasons.get(why) ?? 0) + 1); };
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sends[i] = nowMs();
    inflight.push(fetch(`${url}/api/v1/namespaces/default/pods`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[i],
      // A saturated server must not hold the whole run: a write unanswered after this long counts as failed.
      signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
    }).then(async (res) => {
      const at = nowMs();
      await res.arrayBuffer();
      if (res.status === 201) acks[i] = at; else fail(`HTTP ${res.status}`);
    }, (err: Error) => fail(err.name === 'TimeoutError' ? `no answer within ${WRITE_TIMEOUT_MS / 1000} s` : String((err.cause as Error | undefined)?.message ?? err.message))));
  }
  await Promise.all(inflight);
  return { sends, acks, failed, reasons };
}

interface FanoutRun {
  watchers: number; writes: number; connectMs: number; log: WriteLog; report: ClientReport; ackLatency: Summary;
  deliveriesPerSecond: number; rssIdle: number; rssWatching: number; rssAfter: number; cores: number; clientCores: number;
}

async function measureFanout(server: ServerUnderTest, watchers: number, seconds: number): Promise<FanoutRun> {
  const writes = WRITES_PER_SECOND * seconds;
  const rssIdle = rssBytes(server.pid)!;
  const rv = await currentResourceVersion(server.url);
  const pool = await startWatchClients({
    url: server.url, path: `/api/v1/pods?watch=true&resourceVersion=${rv}`, http: watchers / 2, ws: watchers / 2, maxSeq: writes,
  });
  try {
    if (pool.failed) throw new Error(`${pool.failed} of ${watchers} watches failed to open`);
    const rssWatching = rssBytes(server.pid)!;
    // Warm the create path (JIT, connections) with writes the watchers ignore: they carry no bench-seq label.
    await writeAtRate(server.url, 20, WRITES_PER_SECOND, 'warm');
    await pool.startMeasuring();
    const cpu0 = cpuSeconds(server.pid);
    const clientCpu0 = cpuSeconds(pool.pid);
    const t0 = performance.now();
    const log = await writeAtRate(server.url, writes, WRITES_PER_SECOND);
    // Let the last events reach every watcher before asking for the report.
    await new Promise((r) => setTimeout(r, 1500));
    const wall = (performance.now() - t0) / 1000;
    const cores = (cpuSeconds(server.pid) - cpu0) / wall;
    const clientCores = (cpuSeconds(pool.pid) - clientCpu0) / wall;
    const rssAfter = rssBytes(server.pid)!;
    const report = await pool.report(log.acks, log.sends);
    return {
      watchers, writes, connectMs: pool.connectMs, log, report, rssIdle, rssWatching, rssAfter, cores, clientCores,
      ackLatency: summarize(log.acks.flatMap((a, i) => a > 0 ? [a - log.sends[i]] : [])),
      deliveriesPerSecond: report.deliveries / ((report.lastReceiptMs - log.sends[0]) / 1000),
    };
  } finally {
    await pool.close();
  }
}

function describe(name: string, f: FanoutRun): string[] {
  const { report: r, log } = f;
  const ms = (s: Summary) => `p50 ${s.p50.toFixed(1)}, p90 ${s.p90.toFixed(1)}, p99 ${s.p99.toFixed(1)}, max ${s.max.toFixed(1)} ms`;
  return [
    `${name}: ${f.watchers} watchers (${f.watchers / 2} HTTP, ${f.watchers / 2} websocket) connected in ${(f.connectMs / 1000).toFixed(1)} s; ` +
      `${f.writes} creates at ${WRITES_PER_SECOND}/s, ${log.failed} failed${log.failed ? ` (${[...log.reasons].map(([k, v]) => `${v}× ${k}`).join(', ')})` : ''}; ` +
      `${r.deliveries} deliveries, ${r.disconnects} disconnects, ${r.incompleteEvents} events missed by some watcher`,
    `${name}: write sent→ack ${ms(f.ackLatency)}`,
    `${name}: ack→receipt per pair ${ms(r.pair)}; sent→receipt p50 ${r.pairFromSend.p50.toFixed(1)}, p99 ${r.pairFromSend.p99.toFixed(1)} ms`,
    `${name}: ack→all per event ${ms(r.all)} over ${r.all.count} events`,
    `${name}: RSS ${(f.rssIdle / MiB).toFixed(0)} MiB before watchers, ${(f.rssWatching / MiB).toFixed(0)} MiB with them ` +
      `(${((f.rssWatching - f.rssIdle) / 1024 / f.watchers).toFixed(1)} KiB/watcher), ${(f.rssAfter / MiB).toFixed(0)} MiB after the writes; ` +
      `server ${f.cores.toFixed(2)} cores, watch client process ${f.clientCores.toFixed(2)} cores while writing`,
  ];
}

async function withServer<T>(start: () => Promise<ServerUnderTest>, fn: (s: ServerUnderTest) => Promise<T>): Promise<T> {
  const s = await start();
  try { return await fn(s); } finally { await s.stop(); }
}

export async function runWatchFanout(o: BenchOptions): Promise<BenchResult> {
  const watchers = o.quick ? 200 : 1000;
  const seconds = o.quick ? 3 : 10;
  const bare = await withServer(() => startScriptServer('bench/bare-watch-server.ts'), (s) => measureFanout(s, watchers, seconds));
  const pod = await withServer(() => startBenchApiserver(), (s) => measureFanout(s, watchers, seconds));
  const notes = [
    ...describe('podling', pod), ...describe('bare', bare),
    'ack→receipt can be negative: the server writes the event to watchers before the create\'s response reaches the writer',
  ];
  const vs = (value: number, podValue: number, bigger = false): Partial<Figure> => ({
    baseline: { value, label: 'bare-watch-server.ts, same clients and writer', sameRun: true },
    ratio: bigger ? podValue / value : undefined,
  });
  return {
    benchmark: 'watch-fanout',
    notes,
    figures: [
      { name: `ack→delivered to all ${watchers}, p50`, value: pod.report.all.p50, unit: 'ms', ...vs(bare.report.all.p50, pod.report.all.p50) },
      { name: `ack→delivered to all ${watchers}, p99`, value: pod.report.all.p99, unit: 'ms', target: { op: '<=', limit: 50, source: 'issue 3 (<100)' },
        ...vs(bare.report.all.p99, pod.report.all.p99) },
      { name: 'ack→delivery per watcher, p50', value: pod.report.pair.p50, unit: 'ms', ...vs(bare.report.pair.p50, pod.report.pair.p50) },
      { name: 'ack→delivery per watcher, p99', value: pod.report.pair.p99, unit: 'ms', ...vs(bare.report.pair.p99, pod.report.pair.p99) },
      { name: `deliveries/s (${WRITES_PER_SECOND} writes/s)`, value: pod.deliveriesPerSecond, unit: '/s',
        target: { op: '>=', limit: 0.95 * WRITES_PER_SECOND * watchers }, ...vs(bare.deliveriesPerSecond, pod.deliveriesPerSecond, true) },
      { name: `server RSS with ${watchers} watchers`, value: pod.rssWatching / MiB, unit: 'MiB', ...vs(bare.rssWatching / MiB, pod.rssWatching / MiB) },
      { name: 'events lost, watchers dropped, writes failed', value: pod.report.incompleteEvents + pod.report.disconnects + pod.log.failed, unit: '',
        target: { op: '<=', limit: 0 } },
    ],
  };
}

runStandalone(import.meta.url, runWatchFanout);
