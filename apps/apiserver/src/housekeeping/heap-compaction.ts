// Gives back the heap a burst grew. V8 keeps old-space pages that the burst's garbage emptied, and its memory reducer
// does not run while a thousand nodes keep a trickle of requests coming: 90 s after a 30,000-pod burst an apiserver
// still held 331 MiB of heap for ~190 MiB in use (RSS 433 MiB), where three full GCs left 185 MiB (RSS 285 MiB).
// kube-apiserver's Go runtime returns such memory by itself (its background scavenger). Here, when the event loop
// was mostly idle over a check period and the heap holds more than `thresholdBytes` beyond what is in use, up to
// three full GCs run through an in-process inspector session — the GC
// HeapProfiler.collectGarbage forces, as a heap snapshot does — a second apart so requests are served between them.
// Several are needed because a full GC picks the pages it compacts by what the previous sweep found free. It runs
// again only after the heap has grown by the threshold beyond what the last one left.
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import type { FastifyBaseLogger } from 'fastify';

const CHECK_MS = 10_000;
/** Event-loop utilization over a check period below which the server counts as idle. */
const IDLE_UTILIZATION = 0.5;
const MAX_GCS = 3;
const GAP_MS = 1000;

export function startHeapCompaction(thresholdBytes: number, log: FastifyBaseLogger): { stop(): void } {
  if (thresholdBytes <= 0) return { stop() {} };
  let stopped = false;
  let running = false;
  let floor = 0;
  let mark = performance.eventLoopUtilization();
  const worthIt = () => {
    const { total_heap_size: committed, used_heap_size: used } = v8.getHeapStatistics();
    return committed - used > thresholdBytes && committed > floor + thresholdBytes;
  };
  const compact = async () => {
    const session = new Session();
    session.connect();
    try {
      const before = v8.getHeapStatistics().total_heap_size;
      let after = before;
      let gcs = 0;
      let pauseMs = 0;
      while (gcs < MAX_GCS && !stopped) {
        if (gcs > 0) await sleep(GAP_MS);
        const t = performance.now();
        await session.post('HeapProfiler.collectGarbage');
        pauseMs = Math.max(pauseMs, performance.now() - t);
        gcs++;
        const committed = v8.getHeapStatistics().total_heap_size;
        const shrank = committed < after;
        after = committed;
        if (!shrank) break;
      }
      floor = after;
      log.info({ gcs, longestMs: Math.round(pauseMs), heapBeforeBytes: before, heapAfterBytes: after,
        heapUsedBytes: v8.getHeapStatistics().used_heap_size }, 'idle heap compacted');
    } finally {
      session.disconnect();
    }
  };
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const idle = performance.eventLoopUtilization(now, mark).utilization < IDLE_UTILIZATION;
    mark = now;
    if (running || !idle || !worthIt()) return;
    running = true;
    compact().catch((err: unknown) => log.warn({ err }, 'idle heap compaction failed')).finally(() => { running = false; });
  }, CHECK_MS).unref();
  return { stop() { stopped = true; clearInterval(timer); } };
}
