// How late a server's event loop runs and how long its GC pauses are, measured inside it through its inspector
// (perf_hooks' monitorEventLoopDelay and the 'gc' performance entries), without adding anything to the server.
// A request waits for the loop turn in progress and then for its own: long turns are what its latency tail is made of.
import { evaluate } from './inspector.ts';
import { summarize, type Summary } from './percentiles.ts';

const RESOLUTION_MS = 10;

export interface LoopSample {
  /** How late the loop ran a timer, ms (the monitor's own resolution taken off). */
  delay: { p50: number; p99: number; max: number };
  /** Every GC pause in the period, summarized (ms). */
  gc: Summary;
}

export class LoopMonitor {
  constructor(private readonly inspectPort: number) {}

  /** Starts sampling (again: a second call keeps the first monitor). */
  async start(): Promise<void> {
    await evaluate(this.inspectPort, `(() => {
      const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');
      const s = globalThis.__podlingBenchLoop ??= { loop: monitorEventLoopDelay({ resolution: ${RESOLUTION_MS} }), gc: [] };
      s.observer ??= new PerformanceObserver((list) => { for (const e of list.getEntries()) s.gc.push(e.duration); });
      s.observer.observe({ entryTypes: ['gc'] });
      s.loop.reset();
      s.loop.enable();
      return true;
    })()`);
    // The monitor's first tick only notes the time (Node's ELDHistogram records from its second): a turn held before
    // that tick goes unseen. Measured: a 1.5 s turn that began within 10 ms of enable() showed as 30 ms.
    await new Promise((r) => setTimeout(r, 3 * RESOLUTION_MS));
  }

  /** What was measured since start() or the last take(); sampling goes on. */
  async take(): Promise<LoopSample> {
    const r = await evaluate<{ p50: number; p99: number; max: number; gc: number[] }>(this.inspectPort, `(() => {
      const s = globalThis.__podlingBenchLoop;
      const r = { p50: s.loop.percentile(50) / 1e6, p99: s.loop.percentile(99) / 1e6, max: s.loop.max / 1e6, gc: s.gc.splice(0) };
      s.loop.reset();
      return r;
    })()`);
    const late = (ms: number) => Math.max(0, ms - RESOLUTION_MS);
    return {
      delay: { p50: late(r.p50), p99: late(r.p99), max: late(r.max) },
      gc: summarize(r.gc),
    };
  }
}
