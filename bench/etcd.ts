// etcd 3.4 as a reference for pod creates (only with --with-etcd): installs Debian's etcd-server if missing, runs a
// single member on loopback with a temp data dir, and measures puts/s of the same pod bytes at 50-way concurrency
// with the npm etcd3 client (own process), plus the create-if-absent txn kube-apiserver issues per create. Shown
// beside Podling's creates/s from the same run. etcd is stopped by pid and its data dir deleted.
// Usage: node --import tsx bench/etcd.ts [--quick]
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { makeTempDir, startTs } from '@podling/testkit';
import { freePort } from './harness/bench-apiserver.ts';
import type { BenchResult } from './harness/figure.ts';
import { POD_BODY_FILE } from './harness/pod-bodies.ts';
import { cpuSeconds } from './harness/proc-stats.ts';
import { runStandalone, type BenchOptions } from './harness/standalone.ts';

const CONCURRENCY = 50;

interface LoadResult { opsPerSecond: number; ops: number; p50Ms: number; p99Ms: number; clientCores: number; wallS: number }

function ensureEtcd(notes: string[]): void {
  if (spawnSync('etcd', ['--version']).status === 0) return;
  notes.push('installed etcd-server with apt-get');
  for (const argv of [['update', '-qq'], ['install', '-y', '-qq', 'etcd-server']]) {
    const r = spawnSync('apt-get', argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`apt-get ${argv.join(' ')} failed: ${r.stderr}`);
  }
}

async function load(endpoint: string, op: 'put' | 'txn', o: BenchOptions): Promise<LoadResult> {
  const p = startTs('bench/harness/etcd-load.ts', {
    args: [JSON.stringify({ endpoint, op, concurrency: CONCURRENCY, warmupS: 1, seconds: o.quick ? 2 : 5, valueFile: POD_BODY_FILE })],
  });
  const { code } = await p.exited;
  const line = p.output().trim().split('\n').filter((l) => l.startsWith('{"ops')).pop();
  if (code !== 0 || !line) throw new Error(`etcd load (${op}) exited ${code}: ${p.output().slice(-2000)}`);
  return JSON.parse(line) as LoadResult;
}

export async function runEtcd(o: BenchOptions): Promise<BenchResult> {
  const notes: string[] = [];
  ensureEtcd(notes);
  const data = makeTempDir('podling-bench-etcd-');
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  const etcd = spawn('etcd', [
    '--name', 'bench', '--data-dir', path.join(data.dir, 'member'),
    '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-cluster', `bench=http://127.0.0.1:${peer}`, '--logger', 'zap', '--log-level', 'warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  etcd.stderr.on('data', (b: Buffer) => { stderr = (stderr + b).slice(-4000); });
  const exited = new Promise<void>((r) => etcd.once('exit', () => r()));
  try {
    await waitHealthy(endpoint, etcd.exitCode, () => stderr);
    const results: Record<'put' | 'txn', LoadResult & { etcdCores: number }> = {} as never;
    for (const op of ['put', 'txn'] as const) {
      const c0 = cpuSeconds(etcd.pid!);
      const t0 = performance.now();
      const r = await load(endpoint, op, o);
      // Includes the warm-up second and client start-up: an approximate figure.
      results[op] = { ...r, etcdCores: (cpuSeconds(etcd.pid!) - c0) / ((performance.now() - t0) / 1000) };
      notes.push(`${op}: ${Math.round(r.opsPerSecond)}/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms; ` +
        `client ${r.clientCores.toFixed(2)} cores, etcd ~${results[op].etcdCores.toFixed(2)} cores`);
    }
    notes.push('the Node etcd3 client saturates near one core (baselines §5: Go clientv3 reaches 14k puts/s at 64 in flight)');
    const podling = o.earlier?.find((r) => r.benchmark === 'creates')?.figures[0];
    const beside = podling ? { value: podling.value, label: 'Podling creates/s (this run)', sameRun: true } : undefined;
    return {
      benchmark: 'etcd',
      notes,
      figures: [
        { name: `etcd puts/s, ${CONCURRENCY} in flight (npm etcd3)`, value: results.put.opsPerSecond, unit: '/s', baseline: beside,
          ratio: beside ? beside.value / results.put.opsPerSecond : undefined },
        { name: `etcd txn create-if-absent/s, ${CONCURRENCY} in flight`, value: results.txn.opsPerSecond, unit: '/s', baseline: beside,
          ratio: beside ? beside.value / results.txn.opsPerSecond : undefined },
        { name: 'etcd put p99', value: results.put.p99Ms, unit: 'ms' },
      ],
    };
  } finally {
    if (etcd.exitCode === null && etcd.signalCode === null) {
      etcd.kill('SIGTERM');
      const timer = setTimeout(() => etcd.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    data.remove();
  }
}

async function waitHealthy(endpoint: string, _code: number | null, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${endpoint}/health`);
      if (res.ok && ((await res.json()) as { health: string }).health === 'true') return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd not healthy within 30 s: ${stderr()}`);
}

runStandalone(import.meta.url, runEtcd);
