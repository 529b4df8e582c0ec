// A watch that starts from the current state (`GET /api/v1/pods?watch=true`, no resourceVersion) of the pods that
// bench/list.ts stored: time to its first byte and to its last initial event, and how long the apiserver kept others
// waiting meanwhile: the longest answer to a `GET /healthz` sent one after another throughout, and its event loop's
// longest delay, read inside it (bench/harness/loop-monitor.ts). Before the apiserver sent that state a
// page at a time, 30,000 pods took one synchronous call of 0.6–0.9 s here, during which nothing else was served.
// The bare baseline server sends no initial state, so there is no same-run reference.
import http from 'node:http';
import { LoopMonitor } from './harness/loop-monitor.ts';
import type { ServerUnderTest } from './harness/script-server.ts';

export interface InitialWatchRun {
  pods: number;
  firstByteMs: number;
  lastEventMs: number;
  /** The longest answer to GET /healthz, sent one at a time while the state was sent, ms. */
  healthzMaxMs: number;
  /** The apiserver's longest event-loop delay meanwhile, ms. */
  loopMaxMs: number;
}

/** Sends GET /healthz one after another until stopped; resolves to the longest answer's time. */
function pingUntil(url: string, stopped: () => boolean): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const one = () => new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    http.get(`${url}/healthz`, { agent }, (res) => { res.resume(); res.on('end', () => resolve(performance.now() - t0)); }).on('error', reject);
  });
  return (async () => {
    let max = 0;
    try {
      while (!stopped()) max = Math.max(max, await one());
    } finally {
      agent.destroy();
    }
    return max;
  })();
}

/** Reads a watch until it has sent `pods` events, then closes it. */
function timedWatch(url: string, pods: number): Promise<{ firstByteMs: number; lastEventMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstByteMs = -1;
    let events = 0;
    const req = http.get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
      res.on('data', (c: Buffer) => {
        if (firstByteMs < 0) firstByteMs = performance.now() - t0;
        for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) events++;
        if (events >= pods) {
          resolve({ firstByteMs, lastEventMs: performance.now() - t0 });
          req.destroy();
        }
      });
      res.on('end', () => reject(new Error(`the watch ended after ${events} of ${pods} events`)));
    });
    req.on('error', (e) => { if (events < pods) reject(e); });
  });
}

/** `inspectPort`: the server's inspector, for its loop monitor. The server holds exactly `pods` pods. */
export async function measureInitialWatch(server: ServerUnderTest, pods: number, inspectPort: number): Promise<InitialWatchRun> {
  const monitor = new LoopMonitor(inspectPort);
  await monitor.start();
  let done = false;
  const pings = pingUntil(server.url, () => done);
  const r = await timedWatch(`${server.url}/api/v1/pods?watch=true`, pods).finally(() => { done = true; });
  const healthzMaxMs = await pings;
  const loop = await monitor.take();
  return { pods, ...r, healthzMaxMs, loopMaxMs: loop.delay.max };
}

export function describeInitialWatch(r: InitialWatchRun): string {
  return `podling: a watch from the current state of ${r.pods} pods: first byte ${r.firstByteMs.toFixed(0)} ms, ` +
    `last initial event ${r.lastEventMs.toFixed(0)} ms; meanwhile GET /healthz answered within ${r.healthzMaxMs.toFixed(0)} ms ` +
    `and the apiserver's event loop was at most ${r.loopMaxMs.toFixed(0)} ms late`;
}
