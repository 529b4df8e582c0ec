// Lets each benchmark file run alone (`node --import tsx bench/creates.ts [--quick]`): when the file is the entry
// point, run it, print the same table run.ts prints, and exit non-zero if it failed.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { BenchResult } from './figure.ts';
import { describeProbe, probeMachine } from './machine-probe.ts';
import { formatTable } from './table.ts';

export interface BenchOptions {
  /** Smaller counts and shorter windows, for a smoke run. */
  quick: boolean;
  /** Run the server under `node --cpu-prof` where a benchmark supports it, and report the hottest functions. */
  profile: boolean;
  /** The big size of benchmarks that have one (bench/scale.ts: 1,000 nodes and 30,000 pods). */
  scale?: boolean;
  /** Results of the benchmarks run before this one in the same run (etcd puts Podling's creates/s beside its own). */
  earlier?: BenchResult[];
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  return { quick: argv.includes('--quick'), profile: argv.includes('--profile'), scale: argv.includes('--scale') };
}

export function isEntryPoint(moduleUrl: string): boolean {
  return !!process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}

export function runStandalone(moduleUrl: string, bench: (o: BenchOptions) => Promise<BenchResult>): void {
  if (!isEntryPoint(moduleUrl)) return;
  const run = async () => {
    const probe = await probeMachine();
    const r = await bench(parseBenchOptions(process.argv.slice(2)));
    r.notes.push(describeProbe(probe));
    process.stdout.write(formatTable([r]) + '\n');
    return r.error ? 1 : 0;
  };
  run().then((code) => process.exit(code), (err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
