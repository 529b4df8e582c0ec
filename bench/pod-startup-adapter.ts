// Pod startup (create → Running, p50/p99 for 200 pods on one agent and with 5 agents) is measured by
// bench/pod-startup.ts, which another engineer owns. This adapter runs it as a script in its own process (so its
// top-level code and its exit cannot disturb the runner) and turns the figures it prints into table rows.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTs } from '@podling/testkit';
import type { BenchResult } from './harness/figure.ts';
import type { BenchOptions } from './harness/standalone.ts';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pod-startup.ts');

export async function runPodStartup(o: BenchOptions): Promise<BenchResult> {
  if (!existsSync(script)) {
    return { benchmark: 'pod-startup', figures: [], notes: ['skipped: bench/pod-startup.ts does not exist yet'] };
  }
  const proc = startTs('bench/pod-startup.ts', { args: o.quick ? ['--quick'] : [] });
  const { code, signal } = await proc.exited;
  const out = proc.output();
  if (code !== 0) throw new Error(`bench/pod-startup.ts exited ${code ?? signal}:\n${out.slice(-3000)}`);
  return { benchmark: 'pod-startup', figures: [], notes: out.trim().split('\n').slice(-20) };
}
