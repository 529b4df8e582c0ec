// Pod startup (create → Running, p50/p99 for 200 pods on one agent and on 5 agents) is measured by
// bench/pod-startup.ts, which another engineer owns and which runs only as a script. This adapter spawns it (its
// top-level code and process.exit cannot disturb the runner) and turns the `key=value` lines it prints, e.g.
//   pod-startup agents=1 pods=200 warmup=20 apiserver-log=warn p50=120ms p99=300ms max=310ms all-running-after=2400ms machine-busy=90% target-p99<500ms PASS
// into table rows; the `pod-startup-cpu` line after each (CPU ms per pod by process) goes to the notes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTs } from '@podling/testkit';
import type { BenchResult, Figure } from './harness/figure.ts';
import type { BenchOptions } from './harness/standalone.ts';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pod-startup.ts');
const P99_TARGET_MS = 500;

export function parsePodStartupLine(line: string): Figure[] {
  if (!line.startsWith('pod-startup ')) return [];
  const kv = new Map<string, string>();
  for (const m of line.matchAll(/([\w-]+)=([\d.]+)(?:ms)?\b/g)) kv.set(m[1], m[2]);
  const agents = kv.get('agents');
  const pods = kv.get('pods');
  if (!agents || !kv.has('p50') || !kv.has('p99')) return [];
  const what = `${pods ?? '?'} pods, ${agents} agent${agents === '1' ? '' : 's'}`;
  const figures: Figure[] = [
    { name: `create→Running p50 (${what})`, value: Number(kv.get('p50')), unit: 'ms' },
    { name: `create→Running p99 (${what})`, value: Number(kv.get('p99')), unit: 'ms', target: { op: '<=', limit: P99_TARGET_MS } },
  ];
  if (kv.has('all-running-after')) figures.push({ name: `all Running after (${what})`, value: Number(kv.get('all-running-after')), unit: 'ms' });
  return figures;
}

export async function runPodStartup(o: BenchOptions): Promise<BenchResult> {
  if (!existsSync(script)) {
    return { benchmark: 'pod-startup', figures: [], notes: ['skipped: bench/pod-startup.ts does not exist yet'] };
  }
  const proc = startTs('bench/pod-startup.ts', { args: o.quick ? ['--quick'] : [] });
  const { code, signal } = await proc.exited;
  const lines = proc.output().split('\n');
  const figures = lines.flatMap(parsePodStartupLine);
  const notes = lines.filter((l) => l.startsWith('pod-startup ') || l.startsWith('pod-startup-cpu '));
  if (code !== 0 || !figures.length) {
    return { benchmark: 'pod-startup', figures, notes, error: `bench/pod-startup.ts exited ${code ?? signal}: ${proc.output().slice(-1500)}` };
  }
  return { benchmark: 'pod-startup', figures, notes };
}
