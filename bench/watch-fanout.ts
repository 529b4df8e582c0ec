// Watch fan-out (issue 3): 1,000 watchers of all pods — half chunked HTTP, half websocket — in a separate client
// process, then 100 pod creates/s for ~10 s. Each create carries its number in a label; the writer records when it
// was sent and acknowledged, every watcher records when it received it (one machine, one clock:
// performance.timeOrigin + performance.now()). Reported: ack → receipt over all (event, watcher) pairs, ack →
// received-by-all-1,000 per event, deliveries/s, and the apiserver's RSS and CPU with the watchers connected.
// Usage: node --import tsx bench/watch-fanout.ts [--quick]
import { startBenchApiserver } from './harness/bench-apiserver.ts';
import type { BenchResult } from './harness/figure.ts';
import { currentResourceVersion, namedPodBody } from './harness/pod-bodies.ts';
import { nowMs, summarize } from './harness/percentiles.ts';
import { cpuSeconds, MiB, rssBytes } from './harness/proc-stats.ts';
import { runStandalone, type BenchOptions } from './harness/standalone.ts';
import { SEQ_LABEL, startWatchClients } from './harness/watch-client-pool.ts';

const WRITES_PER_SECOND = 100;

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
    }).then(async (res) => {
      const at = nowMs();
      await res.arrayBuffer();
      if (res.status === 201) acks[i] = at; else fail(`HTTP ${res.status}`);
    }, (err: Error) => fail(String((err.cause as Error | undefined)?.message ?? err.message))));
  }
  await Promise.all(inflight);
  return { sends, acks, failed, reasons };
}

export async function runWatchFanout(o: BenchOptions): Promise<BenchResult> {
  const watchers = o.quick ? 200 : 1000;
  const seconds = o.quick ? 3 : 10;
  const writes = WRITES_PER_SECOND * seconds;
  const notes: string[] = [];
  const api = await startBenchApiserver();
  try {
    const rssIdle = rssBytes(api.pid)!;
    const rv = await currentResourceVersion(api.url);
    const pool = await startWatchClients({
      url: api.url, path: `/api/v1/pods?watch=true&resourceVersion=${rv}`,
      http: watchers / 2, ws: watchers / 2, maxSeq: writes,
    });
    try {
      if (pool.failed) throw new Error(`${pool.failed} of ${watchers} watches failed to open`);
      const rssWatching = rssBytes(api.pid)!;
      // Warm the create path (JIT, connections) with writes the watchers ignore: they carry no bench-seq label.
      await writeAtRate(api.url, 20, WRITES_PER_SECOND, 'warm');
      await pool.startMeasuring();
      const cpu0 = cpuSeconds(api.pid);
      const t0 = performance.now();
      const log = await writeAtRate(api.url, writes, WRITES_PER_SECOND);
      // Let the last events reach every watcher before asking for the report.
      await new Promise((r) => setTimeout(r, 1500));
      const cores = (cpuSeconds(api.pid) - cpu0) / ((performance.now() - t0) / 1000);
      const rssAfter = rssBytes(api.pid)!;
      const r = await pool.report(log.acks, log.sends);
      const ackLatency = summarize(log.acks.flatMap((a, i) => a > 0 ? [a - log.sends[i]] : []));
      const firstSend = log.sends[0];
      const deliveriesPerSecond = r.deliveries / ((r.lastReceiptMs - firstSend) / 1000);
      notes.push(`${watchers} watchers (${watchers / 2} HTTP, ${watchers / 2} websocket) connected in ${(pool.connectMs / 1000).toFixed(1)} s; ` +
        `${writes} creates at ${WRITES_PER_SECOND}/s, ${log.failed} failed${log.failed ? ` (${[...log.reasons].map(([k, v]) => `${v}× ${k}`).join(', ')})` : ''}; ${r.deliveries} deliveries, ${r.disconnects} disconnects, ` +
        `${r.incompleteEvents} events missed by some watcher`);
      notes.push(`write sent→ack (runner's fetch): p50 ${ackLatency.p50.toFixed(1)}, p99 ${ackLatency.p99.toFixed(1)}, max ${ackLatency.max.toFixed(1)} ms`);
      notes.push(`ack→receipt per pair: p50 ${r.pair.p50.toFixed(1)}, p90 ${r.pair.p90.toFixed(1)}, p99 ${r.pair.p99.toFixed(1)}, max ${r.pair.max.toFixed(1)} ms; ` +
        `sent→receipt p50 ${r.pairFromSend.p50.toFixed(1)}, p99 ${r.pairFromSend.p99.toFixed(1)} ms (ack can trail delivery: fan-out runs before the response is written)`);
      notes.push(`ack→all per event: p50 ${r.all.p50.toFixed(1)}, p90 ${r.all.p90.toFixed(1)}, p99 ${r.all.p99.toFixed(1)}, max ${r.all.max.toFixed(1)} ms over ${r.all.count} events`);
      notes.push(`apiserver RSS: ${(rssIdle / MiB).toFixed(0)} MiB before watchers, ${(rssWatching / MiB).toFixed(0)} MiB with them ` +
        `(${((rssWatching - rssIdle) / 1024 / watchers).toFixed(1)} KiB/watcher), ${(rssAfter / MiB).toFixed(0)} MiB after the writes; ` +
        `apiserver ${cores.toFixed(2)} cores while writing`);
      const ref = (value: number, label: string) => ({ value, label, sameRun: false });
      return {
        benchmark: 'watch-fanout',
        notes,
        figures: [
          { name: `ack→delivered to all ${watchers}, p50`, value: r.all.p50, unit: 'ms', baseline: ref(12.1, 'baselines §3 ws N=1000, single writes') },
          { name: `ack→delivered to all ${watchers}, p99`, value: r.all.p99, unit: 'ms', target: { op: '<=', limit: 50, source: 'issue 3 (<100)' },
            baseline: ref(24.0, 'baselines §3 ws N=1000, single writes') },
          { name: 'ack→delivery per watcher, p50', value: r.pair.p50, unit: 'ms', baseline: ref(6.6, 'baselines §3 ws N=1000') },
          { name: 'ack→delivery per watcher, p99', value: r.pair.p99, unit: 'ms', baseline: ref(18.4, 'baselines §3 ws N=1000') },
          { name: `deliveries/s (${WRITES_PER_SECOND} writes/s)`, value: deliveriesPerSecond, unit: '/s', target: { op: '>=', limit: 0.95 * WRITES_PER_SECOND * watchers } },
          { name: `apiserver RSS with ${watchers} watchers`, value: rssWatching / MiB, unit: 'MiB' },
          { name: 'events lost or watchers dropped', value: r.incompleteEvents + r.disconnects + log.failed, unit: '', target: { op: '<=', limit: 0 } },
        ],
      };
    } finally {
      await pool.close();
    }
  } finally {
    await api.stop();
  }
}

runStandalone(import.meta.url, runWatchFanout);
