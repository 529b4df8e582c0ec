// How quiet the machine is right before a benchmark: other processes' CPU use and the disk's fdatasync latency.
// Both are shared with whatever else runs here (tests, other benchmarks), and both move every figure: the apiserver
// commits with an fsync per batch and shares 2 cores with its load generator. An idle machine of this kind measured
// 0.13 ms per fsync.
import { closeSync, fdatasyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { summarize } from './percentiles.ts';
import { machineBusySeconds } from '@podling/testkit';

export interface MachineProbe {
  /** Busy cores (of all) over the probe, none of it ours: the runner only sleeps and fsyncs meanwhile. */
  busyCores: number;
  fsyncP50Ms: number;
  fsyncP99Ms: number;
}

export async function probeMachine(windowMs = 1000, syncs = 100): Promise<MachineProbe> {
  const b0 = machineBusySeconds();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const busyCores = (machineBusySeconds() - b0) / ((performance.now() - t0) / 1000);
  const file = path.join(os.tmpdir(), `podling-bench-fsync-${process.pid}`);
  const fd = openSync(file, 'w');
  const page = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < syncs; i++) {
      const s = performance.now();
      writeSync(fd, page);
      fdatasyncSync(fd);
      times.push(performance.now() - s);
    }
  } finally {
    closeSync(fd);
    unlinkSync(file);
  }
  const s = summarize(times);
  return { busyCores, fsyncP50Ms: s.p50, fsyncP99Ms: s.p99 };
}

export function describeProbe(p: MachineProbe): string {
  return `machine before the run: ${p.busyCores.toFixed(2)} of ${os.cpus().length} cores busy elsewhere, ` +
    `fdatasync p50 ${p.fsyncP50Ms.toFixed(2)} ms / p99 ${p.fsyncP99Ms.toFixed(2)} ms (idle reference 0.13 ms)`;
}
