// The scheduler with nothing else to do. Kubernetes measures its scheduler's throughput the same way, against Node
// objects that no kubelet serves (test/integration/scheduler_perf in k/k). Here N Ready nodes are written straight to
// the API and M pods of the scale benchmark's template are created before any scheduler runs, so the timed span holds
// only the binds and their events. Then `podling-controller-manager --controllers scheduler` starts, and a watch of
// the pods times each bind. The rate is the bound pods over the span from the first bind to the last, as
// bench/scale.ts reads its burst. It has no target: issue 18's 1,000 pods/s is for the scale run, where the creates,
// the other controllers and the nodes' work share the machine with the scheduler (bench/scale.ts). This figure says
// what the scheduler and its binds cost on their own.
// Usage: node --import tsx bench/scheduler.ts [--quick | --scale] [--profile]. --profile runs the apiserver and the
// scheduler under --cpu-prof and names each one's hottest functions. Sizes: --quick 50 nodes / 1,000 pods, default
// 200 / 5,000, --scale 1,000 / 30,000 (bench/scale.ts's sizes).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Node, Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import { cpuSeconds, makeTempDir, startTs, waitFor, type ManagedProcess } from '@podling/testkit';
import { startBenchApiserver, type BenchApiserver } from './harness/bench-apiserver.ts';
import { profileNotes } from './harness/cpu-profile.ts';
import type { BenchResult } from './harness/figure.ts';
import { peakPerSecond } from './harness/scale-timeline.ts';
import { runStandalone, type BenchOptions } from './harness/standalone.ts';

const NS = 'default';
/** Creates in flight while the pods are made: enough to keep the apiserver busy, none of it timed. */
const CREATES_IN_FLIGHT = 32;

/** A Node as a registered kubelet leaves it (Ready, allocatable for 110 pods), written by the benchmark itself. */
function readyNode(name: string): Node {
  const resources = { cpu: '8', memory: '32Gi', pods: '110' };
  const now = new Date().toISOString();
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: {
      capacity: resources, allocatable: resources,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now }],
    },
  } as Node;
}

/** Runs `make(i)` for i in [0, count) with `limit` in flight. */
async function inFlight(count: number, limit: number, make: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) await make(next++);
  }));
}

export async function runScheduler(o: BenchOptions): Promise<BenchResult> {
  const nodes = o.scale ? 1000 : o.quick ? 50 : 200;
  const pods = o.scale ? 30_000 : o.quick ? 1000 : 5000;
  const notes: string[] = [];
  let api: BenchApiserver | undefined;
  let scheduler: ManagedProcess | undefined;
  const prof = o.profile ? makeTempDir('podling-bench-prof-') : undefined;
  const profArgs = (who: string) => prof ? ['--cpu-prof', '--cpu-prof-dir', path.join(prof.dir, who)] : [];
  try {
    api = await startBenchApiserver({ nodeArgs: profArgs('apiserver') });
    const client = new KubeClient({ server: api.url });
    // A kubelet registers its Node with its status, as these are created (node-strategy.ts keeps it).
    await inFlight(nodes, CREATES_IN_FLIGHT, (i) => client.create<Node>({ resource: 'nodes' }, readyNode(`sched-node-${i}`)));
    await inFlight(pods, CREATES_IN_FLIGHT, (i) => client.create<Pod>({ resource: 'pods', namespace: NS }, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `sched-${i}`, labels: { app: 'sched' } },
      spec: { containers: [{ name: 'app', image: 'app:1', command: ['sleep', 'infinity'] }] },
    } as Pod));

    // From the revision after the creates: each bind is a MODIFIED event, and the apiserver replays nothing first.
    const rv = (await client.list<Pod>({ resource: 'pods', namespace: NS }, { limit: 1 })).metadata.resourceVersion;
    const bound = new Map<string, number>();
    const watch = client.watch<Pod>({ resource: 'pods', namespace: NS }, { resourceVersion: rv }, (ev) => {
      const p = ev.object as Pod;
      if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR' && p.spec?.nodeName && !bound.has(p.metadata.name!)) bound.set(p.metadata.name!, performance.now());
    });
    const watchEnded = watch.done.then(() => { throw new Error('the watch of the pods ended before every pod was bound'); });
    watchEnded.catch(() => {}); // raced below
    const cpu0 = cpuSeconds(api.pid);
    const t0 = performance.now();
    // Its own leader election would only add a Lease's wait before the first bind; the span below starts there anyway.
    scheduler = startTs('packages/controllers/src/main.ts', {
      args: ['--server', api.url, '--controllers', 'scheduler', '--leader-elect=false'], env: { PODLING_LOG_LEVEL: 'warn' },
      nodeArgs: profArgs('scheduler'),
    });
    await Promise.race([watchEnded, waitFor(() => bound.size >= pods, { timeoutMs: 600_000, intervalMs: 100, message: `${pods} pods bound` })])
      .catch((err: Error) => { throw new Error(`${err.message}: ${bound.size} bound`); });
    const wallS = (performance.now() - t0) / 1000;
    const apiCpu = cpuSeconds(api.pid) - cpu0;
    const schedulerCpu = cpuSeconds(scheduler.pid);
    watch.stop();
    const times = [...bound.values()];
    const first = Math.min(...times);
    const spanS = (Math.max(...times) - first) / 1000;
    const events = (await client.list({ resource: 'events', namespace: NS })).items.length;
    notes.push(`${pods} pending pods on ${nodes} Ready nodes without kubelets: the scheduler's process started, listed them and bound the first ` +
      `${((first - t0) / 1000).toFixed(1)} s after it was spawned, the last ${spanS.toFixed(1)} s later; ${events} events recorded`);
    notes.push(`CPU from the scheduler's start to the last bind (${wallS.toFixed(1)} s): apiserver ${apiCpu.toFixed(1)} s ` +
      `(${(apiCpu / pods * 1000).toFixed(2)} ms per pod), scheduler process ${schedulerCpu.toFixed(1)} s (${(schedulerCpu / pods * 1000).toFixed(2)} ms per pod, its start and lists included)`);
    return {
      benchmark: 'scheduler', notes,
      figures: [
        { name: `pods bound/s, scheduler alone (${nodes} nodes without kubelets, ${pods} pending pods)`, value: pods / spanS, unit: '/s' },
        { name: 'peak pods bound in 1 s, scheduler alone', value: peakPerSecond(times), unit: '/s' },
      ],
    };
  } finally {
    await scheduler?.stop();
    await api?.stop();
    for (const who of prof ? ['apiserver', 'scheduler'] : []) {
      const dir = path.join(prof!.dir, who);
      const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
      if (!file) continue;
      notes.push(...profileNotes(who, path.join(dir, file)));
    }
    prof?.remove();
  }
}

runStandalone(import.meta.url, runScheduler);
