// What a server holds once it has had time to give back the heap it grew into during a burst, with nothing forced:
// V8's memory reducer (v8/src/heap/memory-reducer.cc) starts an incremental, memory-reducing full GC when the
// allocation rate is low or, if requests keep it above V8's threshold (a thousand nodes' heartbeats do), 100 s after
// the last full GC (its watchdog). Its GCs are the major ones flagged ALL_EXTERNAL_MEMORY in perf_hooks' 'gc' entries.
import { cpuSeconds, rssBytes } from '@podling/testkit';
import { evaluate, readHeap } from './inspector.ts';

export interface Settled {
  /** RSS at the end of the period (bytes). */
  rss: number;
  /** RSS every `stepMs` through the period (bytes). */
  samples: number[];
  /** V8's committed heap at each sample (bytes): RSS minus it is what lies outside V8's heap. */
  heapCommitted: number[];
  /** Of which the young generation (new space) at each sample (bytes). */
  youngCommitted: number[];
  /** When V8's memory reducer finished a GC, seconds into the period. */
  reducerAtS: number[];
  /** The server's CPU over the period, in cores. */
  cores: number;
}

/** Watches the server (pid, inspector port) for `ms`, reading its RSS every `stepMs`. */
export async function settleMemory(inspect: number, pid: number, ms: number, stepMs: number): Promise<Settled> {
  await evaluate(inspect, `(() => {
    const { PerformanceObserver, constants } = require('node:perf_hooks');
    const s = globalThis.__podlingBenchSettle = { t0: performance.now(), at: [] };
    s.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR && (e.detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY)) {
          s.at.push((e.startTime + e.duration - s.t0) / 1000);
        }
      }
    });
    s.observer.observe({ entryTypes: ['gc'] });
    return true;
  })()`);
  const cpu0 = cpuSeconds(pid);
  const samples: number[] = [];
  const heapCommitted: number[] = [];
  const youngCommitted: number[] = [];
  for (let waited = 0; waited < ms; waited += stepMs) {
    await new Promise((r) => setTimeout(r, stepMs));
    samples.push(rssBytes(pid) ?? NaN);
    const { mem, spaces } = await readHeap(inspect);
    heapCommitted.push(mem.heapTotal);
    youngCommitted.push(spaces.find((x) => x.space_name === 'new_space')?.space_size ?? 0);
  }
  const cores = (cpuSeconds(pid) - cpu0) / (ms / 1000);
  const reducerAtS = await evaluate<number[]>(inspect, `(() => {
    const s = globalThis.__podlingBenchSettle;
    s.observer.disconnect();
    return s.at;
  })()`);
  return { rss: samples[samples.length - 1], samples, heapCommitted, youngCommitted, reducerAtS, cores };
}
