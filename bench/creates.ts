// Pod creates through the real HTTP API: autocannon (its own process) POSTs the same ~1.5 KB generateName body
// from 50 connections, so every request creates a new pod; the apiserver runs with --controllers none on a temp
// database with its default durability (synchronous=FULL, group commit). Baseline in the same run: echo-server.ts,
// which decodes and validates the same body with the same code and stores nothing.
// Usage: node --import tsx bench/creates.ts [--quick] [--profile]
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, machineBusySeconds, makeTempDir } from '@podling/testkit';
import { runAutocannon, type LoadReport } from './harness/autocannon.ts';
import { startBenchApiserver } from './harness/bench-apiserver.ts';
import { summarizeProfile } from './harness/cpu-profile.ts';
import type { BenchResult } from './harness/figure.ts';
import { POD_BODY_FILE } from './harness/pod-bodies.ts';
import { readMetrics } from './harness/server-metrics.ts';
import { startScriptServer } from './harness/script-server.ts';
import { runStandalone, type BenchOptions } from './harness/standalone.ts';

const CONNECTIONS = 50;
const here = path.dirname(fileURLToPath(import.meta.url));

interface Measured {
  load: LoadReport; serverCores: number; serverUsPerReq: number; otherCores: number;
  /** Storage commits and writes during the measured run, from the server's /metrics (the apiserver only). */
  commits?: { commits: number; writes: number };
}

/** Warm up, then measure one load run while sampling the server's and the whole machine's CPU. */
async function measure(url: string, serverPid: number, o: BenchOptions, hasMetrics = false): Promise<Measured> {
  const target = { url: `${url}/api/v1/namespaces/default/pods`, connections: CONNECTIONS, method: 'POST' as const,
    bodyFile: POD_BODY_FILE, headers: { 'content-type': 'application/json' } };
  await runAutocannon({ ...target, durationS: o.quick ? 1 : 2 });
  const cpu0 = cpuSeconds(serverPid);
  const busy0 = machineBusySeconds();
  const m0 = hasMetrics ? await readMetrics(url) : undefined;
  const t0 = performance.now();
  const load = await runAutocannon({ ...target, durationS: o.quick ? 3 : 10 });
  const wall = (performance.now() - t0) / 1000;
  const server = cpuSeconds(serverPid) - cpu0;
  const busy = machineBusySeconds() - busy0;
  const m1 = m0 ? await readMetrics(url) : undefined;
  const commits = m0 && m1 ? {
    commits: m1.podling_storage_commits_total - m0.podling_storage_commits_total,
    writes: m1.podling_storage_writes_total - m0.podling_storage_writes_total,
  } : undefined;
  return { load, serverCores: server / wall, serverUsPerReq: (server * 1e6) / Math.max(1, load.total), otherCores: (busy - server) / wall, commits };
}

async function measureEcho(o: BenchOptions): Promise<Measured> {
  const echo = await startScriptServer('bench/echo-server.ts');
  try {
    return await measure(echo.url, echo.pid, o);
  } finally {
    await echo.stop();
  }
}

async function measurePodling(o: BenchOptions, notes: string[]): Promise<Measured> {
  const prof = o.profile ? makeTempDir('podling-bench-prof-') : undefined;
  const api = await startBenchApiserver({ nodeArgs: prof ? ['--cpu-prof', '--cpu-prof-dir', prof.dir] : undefined });
  try {
    return await measure(api.url, api.pid, o, true);
  } finally {
    await api.stop();
    if (prof) {
      const file = readdirSync(prof.dir).find((f) => f.endsWith('.cpuprofile'));
      if (file) {
        const kept = path.join(here, 'results', `creates-apiserver-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
        mkdirSync(path.dirname(kept), { recursive: true });
        copyFileSync(path.join(prof.dir, file), kept);
        notes.push(`profile kept as ${path.relative(process.cwd(), kept)} (open in Chrome DevTools)`);
        const summary = summarizeProfile(kept, 15);
        notes.push('apiserver CPU profile (warm-up + measured run), top functions by self time:');
        for (const f of summary.functions) notes.push(`  ${f.selfPercent.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
        notes.push('self time by file:');
        for (const f of summary.files.slice(0, 10)) notes.push(`  ${f.selfPercent.toFixed(1).padStart(5)}%  ${f.where}`);
        notes.push('the repo\'s own functions by inclusive time (callees included):');
        for (const f of summary.ownInclusive) notes.push(`  ${f.selfPercent.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
      } else notes.push('no .cpuprofile was written (did the apiserver exit cleanly?)');
      prof.remove();
    }
  }
}

export async function runCreates(o: BenchOptions): Promise<BenchResult> {
  const notes: string[] = [];
  const echo = await measureEcho(o);
  const pod = await measurePodling(o, notes);
  for (const [name, m] of [['podling', pod], ['echo', echo]] as const) {
    const l = m.load;
    notes.push(`${name}: ${l.total} requests in ${l.seconds} s (${l.ok2xx} 2xx, ${l.non2xx} non-2xx, ${l.errors} errors, ` +
      `${l.timeouts} timeouts), max ${l.maxMs} ms; server ${m.serverCores.toFixed(2)} cores, ${m.serverUsPerReq.toFixed(0)} µs CPU/req; ` +
      `rest of machine (mostly autocannon) ${m.otherCores.toFixed(2)} cores`);
  }
  if (pod.commits) {
    notes.push(`group commit (apiserver /metrics): ${pod.commits.writes} writes in ${pod.commits.commits} transactions, ` +
      `${(pod.commits.writes / Math.max(1, pod.commits.commits)).toFixed(1)} writes per commit on average`);
  }
  const ratio = pod.load.okPerSecond / echo.load.okPerSecond;
  const echoLabel = 'bare fastify + same decode/validate';
  return {
    benchmark: 'creates',
    notes,
    figures: [
      { name: `pod creates/s (c=${CONNECTIONS}, durable)`, value: pod.load.okPerSecond, unit: '/s', target: { op: '>=', limit: 10_000 },
        baseline: { value: echo.load.okPerSecond, label: echoLabel, sameRun: true }, ratio, ratioTarget: { op: '>=', limit: 0.6 } },
      { name: 'create latency p50', value: pod.load.p50Ms, unit: 'ms', baseline: { value: echo.load.p50Ms, label: echoLabel, sameRun: true } },
      { name: 'create latency p99', value: pod.load.p99Ms, unit: 'ms', target: { op: '<=', limit: 25 },
        baseline: { value: echo.load.p99Ms, label: echoLabel, sameRun: true } },
      { name: 'apiserver CPU per create', value: pod.serverUsPerReq, unit: 'µs', baseline: { value: echo.serverUsPerReq, label: echoLabel, sameRun: true } },
      { name: 'failed creates (non-2xx + errors)', value: pod.load.non2xx + pod.load.errors + pod.load.timeouts, unit: '', target: { op: '<=', limit: 0 } },
    ],
  };
}

runStandalone(import.meta.url, runCreates);
