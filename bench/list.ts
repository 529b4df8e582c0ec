// List 10,000 pods: `GET /api/v1/pods` timed client-side over loopback until the last byte (many repetitions,
// one at a time on a keep-alive connection), the response size, and the apiserver's resident memory with 10,000
// pods stored and then with 1,000 idle watchers (half HTTP, half websocket) connected as well.
// Usage: node --import tsx bench/list.ts [--quick]
import http from 'node:http';
import { runAutocannon } from './harness/autocannon.ts';
import { startBenchApiserver } from './harness/bench-apiserver.ts';
import type { BenchResult } from './harness/figure.ts';
import { currentResourceVersion, POD_BODY_FILE } from './harness/pod-bodies.ts';
import { summarize } from './harness/percentiles.ts';
import { cpuSeconds, MiB, rssBytes } from './harness/proc-stats.ts';
import { runStandalone, type BenchOptions } from './harness/standalone.ts';
import { startWatchClients } from './harness/watch-client-pool.ts';

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

export async function runList(o: BenchOptions): Promise<BenchResult> {
  const pods = o.quick ? 2000 : 10_000;
  const reps = o.quick ? 5 : 40;
  const watchers = o.quick ? 200 : 1000;
  const notes: string[] = [];
  const api = await startBenchApiserver();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const t0 = performance.now();
    const load = await runAutocannon({
      url: `${api.url}/api/v1/namespaces/default/pods`, connections: 50, amount: pods, method: 'POST',
      bodyFile: POD_BODY_FILE, headers: { 'content-type': 'application/json' },
    });
    if (load.ok2xx !== pods) throw new Error(`only ${load.ok2xx} of ${pods} creates succeeded (${load.non2xx} non-2xx, ${load.errors} errors)`);
    notes.push(`${pods} pods created in ${((performance.now() - t0) / 1000).toFixed(1)} s by 50 concurrent clients`);
    const url = `${api.url}/api/v1/pods`;
    const first = await timedGet(agent, url);
    if (first.status !== 200) throw new Error(`GET /api/v1/pods: HTTP ${first.status} ${first.body}`);
    const times: number[] = [];
    const cpu0 = cpuSeconds(api.pid);
    for (let i = 0; i < reps; i++) times.push((await timedGet(agent, url)).ms);
    const cpuPerList = ((cpuSeconds(api.pid) - cpu0) * 1000) / reps;
    const s = summarize(times);
    const rssPods = rssBytes(api.pid)!;
    notes.push(`list of ${pods}: ${reps} sequential GETs after one warm-up: p50 ${s.p50.toFixed(1)}, p90 ${s.p90.toFixed(1)}, max ${s.max.toFixed(1)} ms; ` +
      `${(first.bytes / MiB).toFixed(1)} MiB each; apiserver CPU ${cpuPerList.toFixed(1)} ms per list`);

    const rv = await currentResourceVersion(api.url);
    const pool = await startWatchClients({
      url: api.url, path: `/api/v1/pods?watch=true&resourceVersion=${rv}`, http: watchers / 2, ws: watchers / 2, maxSeq: 0,
    });
    let rssWatchers: number;
    try {
      if (pool.failed) throw new Error(`${pool.failed} of ${watchers} watches failed to open`);
      await new Promise((r) => setTimeout(r, 500));
      rssWatchers = rssBytes(api.pid)!;
    } finally {
      await pool.close();
    }
    notes.push(`apiserver RSS: ${(rssPods / MiB).toFixed(0)} MiB with ${pods} pods, ${(rssWatchers / MiB).toFixed(0)} MiB with ${watchers} idle watchers too`);
    return {
      benchmark: 'list',
      notes,
      figures: [
        { name: `GET /api/v1/pods (${pods} pods), p50`, value: s.p50, unit: 'ms', target: { op: '<=', limit: 100 },
          baseline: { value: 40.5, label: 'baselines §1e query + string-concat of stored JSON', sameRun: false } },
        { name: `GET /api/v1/pods (${pods} pods), p90`, value: s.p90, unit: 'ms' },
        { name: 'list response size', value: first.bytes / MiB, unit: 'MiB' },
        { name: `apiserver RSS, ${pods} pods`, value: rssPods / MiB, unit: 'MiB' },
        { name: `apiserver RSS, ${pods} pods + ${watchers} idle watchers`, value: rssWatchers / MiB, unit: 'MiB' },
      ],
    };
  } finally {
    agent.destroy();
    await api.stop();
  }
}

runStandalone(import.meta.url, runList);
