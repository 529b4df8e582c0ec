// `npm run bench`: runs every benchmark in sequence, prints one table (benchmark, figure, value, target, baseline,
// ratio, result) and writes it as JSON to bench/results/. Flags: --only a,b  --quick  --scale  --with-etcd  --profile.
// Exits 1 if a benchmark could not run; a missed target is a result, not an error.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchResult } from './harness/figure.ts';
import { verdict } from './harness/figure.ts';
import { describeProbe, probeMachine, type MachineProbe } from './harness/machine-probe.ts';
import type { BenchOptions } from './harness/standalone.ts';
import { formatTable } from './harness/table.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Entry {
  name: string;
  /** Runs only when asked for (--with-etcd, or by name in --only). */
  optIn?: boolean;
  load(): Promise<(o: BenchOptions) => Promise<BenchResult>>;
}

const BENCHMARKS: Entry[] = [
  { name: 'creates', load: async () => (await import('./creates.ts')).runCreates },
  { name: 'watch-fanout', load: async () => (await import('./watch-fanout.ts')).runWatchFanout },
  { name: 'pod-startup', load: async () => (await import('./pod-startup-adapter.ts')).runPodStartup },
  { name: 'list', load: async () => (await import('./list.ts')).runList },
  { name: 'agent-footprint', load: async () => (await import('./agent-footprint.ts')).runAgentFootprint },
  { name: 'controllers', load: async () => (await import('./controllers.ts')).runControllers },
  { name: 'probe-cost', load: async () => (await import('./probe-cost.ts')).runProbeCost },
  { name: 'scale', load: async () => (await import('./scale.ts')).runScale },
  { name: 'scheduler', load: async () => (await import('./scheduler.ts')).runScheduler },
  { name: 'service-proxy', load: async () => (await import('./service-proxy.ts')).runServiceProxy },
  { name: 'etcd', optIn: true, load: async () => (await import('./etcd.ts')).runEtcd },
];

const BUDGET_MS = 10 * 60_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' }, quick: { type: 'boolean', default: false },
      'with-etcd': { type: 'boolean', default: false }, profile: { type: 'boolean', default: false },
      scale: { type: 'boolean', default: false },
    },
  });
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((n) => !BENCHMARKS.some((b) => b.name === n)) ?? [];
  if (unknown.length) {
    process.stderr.write(`bench: unknown benchmark(s) ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
    process.exit(2);
  }
  const selected = BENCHMARKS.filter((b) => only ? only.includes(b.name) : !b.optIn || (b.name === 'etcd' && values['with-etcd']));
  const opts: BenchOptions = { quick: values.quick!, profile: values.profile!, scale: values.scale! };
  const started = new Date();
  const t0 = performance.now();
  const results: BenchResult[] = [];
  const probes: (MachineProbe & { benchmark: string })[] = [];
  for (const b of selected) {
    const probe = await probeMachine();
    probes.push({ benchmark: b.name, ...probe });
    process.stderr.write(`bench: ${b.name}${opts.quick ? ' (quick)' : ''}… (${describeProbe(probe)})\n`);
    const bt = performance.now();
    let r: BenchResult;
    try {
      r = await (await b.load())({ ...opts, earlier: results });
    } catch (err) {
      r = { benchmark: b.name, figures: [], notes: [], error: (err as Error)?.stack ?? String(err) };
    }
    r.seconds = (performance.now() - bt) / 1000;
    r.notes.push(`took ${r.seconds.toFixed(0)} s; ${describeProbe(probe)}`);
    if (r.error) r.notes.push(`error: ${r.error.split('\n').slice(0, 3).join(' / ')}`);
    results.push(r);
  }
  const totalMs = performance.now() - t0;
  const table = formatTable(results);
  process.stdout.write(`\n${table}\n\ntotal ${(totalMs / 1000).toFixed(0)} s${totalMs > BUDGET_MS ? ' — OVER the 10 min budget' : ''}\n`);
  const dir = path.join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({
    startedAt: started.toISOString(), seconds: totalMs / 1000, options: { ...opts, only, withEtcd: values['with-etcd'] },
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memBytes: os.totalmem(), node: process.version, platform: `${os.type()} ${os.release()}` },
    probes,
    results: results.map((r) => ({ ...r, figures: r.figures.map((f) => ({ ...f, result: verdict(f) || undefined })) })),
    table,
  }, null, 2) + '\n');
  process.stdout.write(`written to ${path.relative(process.cwd(), file)}\n`);
  process.exit(results.some((r) => r.error) ? 1 : 0);
}

void main();
