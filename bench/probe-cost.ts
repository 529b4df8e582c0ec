// What probes cost the agent: one kubelet with 100 `sleep 3600` pods, first without probes (the same-run
// baseline), then with a 1 s exec liveness probe (`true`, run inside the container) and a 1 s httpGet readiness
// probe each. "Agent CPU" is everything the agent spends: the kubelet process, its spawner (which forks exec
// probes), and the exec probes' own processes (nsenter → env → true, reaped by the spawner: its cutime+cstime).
// The httpGet probes target a small server in this process, which counts them, so the probe rate is checked too.
// Usage: node --import tsx bench/probe-cost.ts [--quick]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  childCpuSeconds, commandName, cpuSeconds, descendants, isGroupLeader, makeTempDir, type RunningKubelet,
  startKubelet, waitFor
} from '@podling/testkit';
import { startBenchApiserver, type BenchApiserver } from './harness/bench-apiserver.ts';
import { createPods, deleteAll, pods, stopBenchCluster } from './harness/bench-pods.ts';
import type { BenchResult } from './harness/figure.ts';
import { runStandalone, type BenchOptions } from './harness/standalone.ts';

const NODE = 'bench-node';

function spec(probePort?: number): Record<string, unknown> {
  const c: Record<string, unknown> = { name: 'main', image: 'busybox', command: ['sleep', '3600'] };
  if (probePort !== undefined) {
    c.livenessProbe = { exec: { command: ['true'] }, periodSeconds: 1 };
    c.readinessProbe = { httpGet: { host: '127.0.0.1', port: probePort, path: '/healthz' }, periodSeconds: 1 };
  }
  return { nodeName: NODE, terminationGracePeriodSeconds: 2, containers: [c] };
}

/** CPU seconds so far of the kubelet, its node helpers (the spawner) and the children those reaped. */
function agentCpu(kpid: number): { kubelet: number; spawner: number; total: number } {
  const helpers = descendants(kpid).filter((p) => commandName(p) === 'node');
  const kubelet = cpuSeconds(kpid);
  const spawner = helpers.reduce((s, p) => s + cpuSeconds(p), 0);
  return { kubelet, spawner, total: kubelet + spawner + helpers.reduce((s, p) => s + childCpuSeconds(p), 0) };
}

async function measure(kpid: number, windowMs: number, hits: () => number): Promise<{ kubelet: number; spawner: number; total: number; probesPerSec: number }> {
  const a = agentCpu(kpid);
  const h = hits();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const b = agentCpu(kpid);
  const s = (performance.now() - t0) / 1000;
  return { kubelet: (b.kubelet - a.kubelet) / s, spawner: (b.spawner - a.spawner) / s, total: (b.total - a.total) / s, probesPerSec: (hits() - h) / s };
}

export async function runProbeCost(o: BenchOptions): Promise<BenchResult> {
  const count = o.quick ? 20 : 100;
  const windowMs = o.quick ? 3000 : 10_000;
  const notes: string[] = [];
  const root = makeTempDir('podling-bench-probes-');
  let hits = 0;
  const target = http.createServer((_req, res) => { hits++; res.end('ok'); });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const port = (target.address() as AddressInfo).port;
  let api: BenchApiserver | undefined;
  let kubelet: RunningKubelet | undefined;
  let leaders: number[] = [];
  try {
    api = await startBenchApiserver();
    kubelet = await startKubelet({ server: api.url, nodeName: NODE, rootDir: path.join(root.dir, NODE) });
    const kpid = kubelet.process.pid;
    const url = api.url;
    const settle = () => new Promise((r) => setTimeout(r, 2000));

    await createPods(url, count, 'plain', spec());
    await waitFor(async () => (await pods(url)).filter((p) => p.status?.phase === 'Running').length === count,
      { timeoutMs: 120_000, intervalMs: 250, message: `${count} pods without probes Running` });
    await settle();
    const base = await measure(kpid, windowMs, () => hits);
    await deleteAll(url);

    await createPods(url, count, 'probed', spec(port));
    await waitFor(async () => (await pods(url)).filter((p) => p.status?.containerStatuses?.[0]?.ready).length === count,
      { timeoutMs: 120_000, intervalMs: 250, message: `${count} pods with probes Ready` });
    await settle();
    const probed = await measure(kpid, windowMs, () => hits);
    leaders = descendants(kpid).filter(isGroupLeader);
    const restarts = (await pods(url)).filter((p) => p.status?.phase !== 'Running').length;
    notes.push(`httpGet probes answered: ${probed.probesPerSec.toFixed(0)}/s (expected ${count}/s); pods not Running at the end: ${restarts}`);
    notes.push(`with probes: kubelet ${(probed.kubelet * 100).toFixed(1)} %, spawner ${(probed.spawner * 100).toFixed(1)} %, ` +
      `exec probe processes ${((probed.total - probed.kubelet - probed.spawner) * 100).toFixed(1)} % of a core; ` +
      `per probe run (exec + httpGet) ${(((probed.total - base.total) / (2 * count)) * 1e6).toFixed(0)} µs of agent CPU`);
    return {
      benchmark: 'probe-cost',
      notes,
      figures: [
        { name: `agent CPU, ${count} pods, 1 s exec + 1 s httpGet probes`, value: probed.total * 100, unit: '% core',
          baseline: { value: base.total * 100, label: `the same ${count} pods without probes`, sameRun: true } },
        { name: `kubelet process CPU, ${count} pods with probes`, value: probed.kubelet * 100, unit: '% core',
          baseline: { value: base.kubelet * 100, label: 'without probes', sameRun: true } },
      ],
    };
  } finally {
    await stopBenchCluster(api, kubelet, leaders, notes);
    target.close();
    root.remove();
  }
}

runStandalone(import.meta.url, runProbeCost);
