// The memory side of bench/list.ts (issue 18, "Memory and big lists"): resident memory per stored pod beyond its JSON
// text, time to the first byte of a full `GET /api/v1/pods`, and resident memory after three full lists, with
// 50,000 pods (5,000 with --quick). RSS is read from /proc: before the lists after a full GC (through the server's
// inspector), so that it is what the server holds rather than the garbage it carried; after them without one, so
// that it shows what the lists left resident. The pods' JSON size is the list body over the pod count.
import http from 'node:http';
import { runAutocannon } from './harness/autocannon.ts';
import { POD_BODY_FILE } from './harness/pod-bodies.ts';
import { MiB, rssBytes } from '@podling/testkit';
import type { ServerUnderTest } from './harness/script-server.ts';
import { collectGarbage } from './harness/collect-garbage.ts';

export interface ListMemoryRun {
  pods: number;
  /** Resident bytes per stored pod beyond its JSON text (growth over the pods created after a warm-up). */
  perPodBeyondJson: number;
  jsonBytesPerPod: number;
  /** Request → first body byte of each of three full lists, ms. */
  firstByteMs: number[];
  /** Request → last byte of each, ms. */
  totalMs: number[];
  rssBefore: number;
  rssAfterLists: number;
}

/** One GET, timed to the first body byte and to the last. */
function timedList(url: string): Promise<{ firstMs: number; totalMs: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstMs = -1;
    let bytes = 0;
    http.get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
      res.on('data', (c: Buffer) => {
        if (firstMs < 0) firstMs = performance.now() - t0;
        bytes += c.length;
      });
      res.on('end', () => resolve({ firstMs, totalMs: performance.now() - t0, bytes }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function create(server: ServerUnderTest, amount: number): Promise<void> {
  const load = await runAutocannon({
    url: `${server.url}/api/v1/namespaces/default/pods`, connections: 50, amount, method: 'POST',
    bodyFile: POD_BODY_FILE, headers: { 'content-type': 'application/json' },
  });
  if (load.ok2xx !== amount) throw new Error(`only ${load.ok2xx} of ${amount} creates succeeded (${load.non2xx} non-2xx, ${load.errors} errors)`);
}

/** `inspectPort`: the server's inspector, for a full GC before each RSS reading. */
export async function measureListMemory(server: ServerUnderTest, pods: number, inspectPort: number): Promise<ListMemoryRun> {
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 500)); // sockets of the last requests closed
    await collectGarbage(inspectPort);
  };
  // The first pods warm the code paths (JIT, pools) so that the growth after them is the pods' own.
  const warm = Math.round(pods / 50);
  await create(server, warm);
  await settle();
  const rss0 = rssBytes(server.pid)!;
  await create(server, pods - warm);
  await settle();
  const rssBefore = rssBytes(server.pid)!;
  const firstByteMs: number[] = [];
  const totalMs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    const r = await timedList(`${server.url}/api/v1/pods`);
    firstByteMs.push(r.firstMs);
    totalMs.push(r.totalMs);
    bytes = r.bytes;
  }
  await new Promise((r) => setTimeout(r, 500));
  const jsonBytesPerPod = bytes / pods;
  return {
    pods, jsonBytesPerPod, firstByteMs, totalMs, rssBefore, rssAfterLists: rssBytes(server.pid)!,
    perPodBeyondJson: (rssBefore - rss0) / (pods - warm) - jsonBytesPerPod,
  };
}

export function describeListMemory(name: string, r: ListMemoryRun): string {
  const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join('/');
  return `${name}: ${r.pods} pods of ${(r.jsonBytesPerPod / 1024).toFixed(2)} KiB JSON; RSS ${(r.rssBefore / MiB).toFixed(0)} MiB, ` +
    `${(r.perPodBeyondJson / 1024).toFixed(2)} KiB per pod beyond its JSON; three full lists: first byte ${ms(r.firstByteMs)} ms, ` +
    `last byte ${ms(r.totalMs)} ms; RSS after them ${(r.rssAfterLists / MiB).toFixed(0)} MiB`;
}
