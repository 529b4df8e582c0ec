// One agent's footprint: a kubelet process (testkit's startKubelet) running 100 idle pods (`sleep 3600`). Reports
// its resident memory and CPU (utime+stime from /proc over a 10 s window), and the total PSS of the pods'
// processes (every process below the kubelet, from /proc/<pid>/smaps_rollup). Pods are deleted through the API
// before the kubelet stops, since a stopping kubelet leaves its pods running by design.
// Usage: node --import tsx bench/agent-footprint.ts [--quick]
import path from 'node:path';
import {
  commandName, cpuCoresOver, descendants, isGroupLeader, makeTempDir, MiB, pssBytes, rssBytes, type RunningKubelet,
  startKubelet, startTs, waitFor
} from '@podling/testkit';
import { startBenchApiserver, type BenchApiserver } from './harness/bench-apiserver.ts';
import type { BenchResult } from './harness/figure.ts';
import { createPods, pods, stopBenchCluster } from './harness/bench-pods.ts';
import { runStandalone, type BenchOptions } from './harness/standalone.ts';

const NODE = 'bench-node';
const IDLE_SPEC = {
  nodeName: NODE, terminationGracePeriodSeconds: 2,
  containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }],
};

/** RSS of a Node process under tsx that loads nothing: the runtime's share of any Podling process. */
async function idleNodeRss(): Promise<number> {
  const p = startTs('bench/harness/idle-node.ts', { args: [] });
  try {
    await p.waitForLog((l) => l.msg === 'listening', 30_000);
    await new Promise((r) => setTimeout(r, 500));
    return rssBytes(p.pid)!;
  } finally {
    await p.stop();
  }
}

export async function runAgentFootprint(o: BenchOptions): Promise<BenchResult> {
  const count = o.quick ? 20 : 100;
  const windowMs = o.quick ? 3000 : 10_000;
  const notes: string[] = [];
  const root = makeTempDir('podling-bench-agent-');
  let api: BenchApiserver | undefined;
  let kubelet: RunningKubelet | undefined;
  let leaders: number[] = [];
  try {
    api = await startBenchApiserver();
    kubelet = await startKubelet({ server: api.url, nodeName: NODE, rootDir: path.join(root.dir, NODE) });
    const kpid = kubelet.process.pid;
    const rssEmpty = rssBytes(kpid)!;
    const t0 = performance.now();
    await createPods(api.url, count, 'idle', IDLE_SPEC);
    await waitFor(async () => (await pods(api!.url)).filter((p) => p.status?.phase === 'Running').length === count,
      { timeoutMs: 120_000, intervalMs: 250, message: `${count} idle pods Running` });
    notes.push(`${count} pods created and Running in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // Let start-up work (status updates, log pumps) settle before the idle window.
    await new Promise((r) => setTimeout(r, 2000));
    const { cores } = await cpuCoresOver(kpid, windowMs);
    const rss = rssBytes(kpid)!;
    const floor = await idleNodeRss();
    const procs = descendants(kpid);
    leaders = procs.filter(isGroupLeader);
    // Node helpers the kubelet runs (e.g. a spawner process) are the agent's, not the pods'.
    const helpers = procs.filter((p) => commandName(p) === 'node');
    const podProcs = procs.filter((p) => !helpers.includes(p));
    const pss = (list: number[]) => list.reduce((sum, p) => sum + (pssBytes(p) ?? 0), 0);
    const podPss = pss(podProcs);
    const helperPss = pss(helpers);
    notes.push(`kubelet RSS ${(rssEmpty / MiB).toFixed(0)} MiB with no pods, ${(rss / MiB).toFixed(0)} MiB with ${count}; ` +
      `${podProcs.length} pod processes, PSS ${(podPss / MiB).toFixed(1)} MiB total (${(podPss / 1024 / count).toFixed(0)} KiB/pod)` +
      (helpers.length ? `; ${helpers.length} node helper process(es) below the kubelet, PSS ${(helperPss / MiB).toFixed(1)} MiB` : ''));
    return {
      benchmark: 'agent-footprint',
      notes,
      figures: [
        { name: `kubelet RSS, ${count} idle pods`, value: rss / MiB, unit: 'MiB',
          baseline: { value: floor / MiB, label: 'idle node --import tsx process', sameRun: true } },
        { name: `kubelet CPU, ${count} idle pods`, value: cores * 100, unit: '% core' },
        { name: `pod processes PSS, ${count} pods`, value: podPss / MiB, unit: 'MiB',
          baseline: { value: (count * 223) / 1024, label: `reference: ${count} × sh+sleep with pipes, 223 KB each on this kind of machine`, sameRun: false } },
      ],
    };
  } finally {
    await stopBenchCluster(api, kubelet, leaders, notes);
    root.remove();
  }
}

runStandalone(import.meta.url, runAgentFootprint);
