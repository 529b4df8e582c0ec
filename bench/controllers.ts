// Workload controllers at scale (issue 15): one apiserver with its embedded controllers and one real agent. A
// Deployment of `sleep 3600` pods at replicas 0 is scaled by the real `kubectl scale` to 1,000 (timed until a watch
// shows all 1,000 Running) and back to 0 (timed until every pod object is gone and no container process is left on
// the host). Same-run baseline: 1,000 bare pods created through the API (32 in flight, bound by the scheduler), and
// deleted the same way, timed to the same end points. Target: each way under 10 s.
// Usage: node --import tsx bench/controllers.ts [--quick] [--profile]
import { mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import {
  cpuSeconds, machineBusySeconds, makeTempDir, processesUnder, type RunningKubelet, startKubelet, waitFor
} from '@podling/testkit';
import { makeKubectl, requireKubectl } from '../apps/apiserver/test/kubectl-cli.ts';
import { startBenchApiserver, type BenchApiserver } from './harness/bench-apiserver.ts';
import { summarizeProfile } from './harness/cpu-profile.ts';
import type { BenchResult } from './harness/figure.ts';
import { stopBenchCluster } from './harness/bench-pods.ts';
import { readMetrics } from './harness/server-metrics.ts';
import { runStandalone, type BenchOptions } from './harness/standalone.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const NODE = 'bench-node';
const TARGET_MS = 10_000;
const POD_REF = { resource: 'pods', namespace: 'default' };
const CONTAINER = { name: 'app', image: 'busybox', command: ['sleep', '3600'] };

/** Pods by name as the watch last showed them; `gone` once deleted. */
class PodView {
  events = 0;
  /** When the watch last showed a new pod, a pod newly bound, a pod newly Running (performance.now()). */
  lastAdded = 0;
  lastBound = 0;
  lastRunning = 0;
  /** When the watch first showed a pod being deleted, and when the last pod object went. */
  firstDeleting = 0;
  lastGone = 0;
  private readonly bound = new Set<string>();
  readonly running = new Set<string>();
  readonly present = new Set<string>();
  seen(ev: { type: string; object: unknown }): void {
    const p = ev.object as Pod;
    const name = p.metadata?.name;
    if (!name || ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
    this.events++;
    const now = performance.now();
    if (ev.type === 'DELETED') { this.present.delete(name); this.running.delete(name); this.bound.delete(name); this.lastGone = now; return; }
    if (p.metadata.deletionTimestamp && this.firstDeleting < this.lastAdded) this.firstDeleting = now;
    if (!this.present.has(name)) { this.present.add(name); this.lastAdded = now; }
    if (p.spec?.nodeName && !this.bound.has(name)) { this.bound.add(name); this.lastBound = now; }
    if (p.status?.phase === 'Running' && !p.metadata.deletionTimestamp) {
      if (!this.running.has(name)) { this.running.add(name); this.lastRunning = now; }
    } else this.running.delete(name);
  }
}

/** Waits until `done()` holds, checking every 20 ms (the watch updates the view in between); a timeout names
 * what the watch and a fresh list showed. */
async function until(client: KubeClient, view: PodView, done: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  try {
    await waitFor(done, { timeoutMs, intervalMs: 20, message: what });
  } catch (err) {
    const phases = new Map<string, number>();
    for (const p of (await client.list<Pod>(POD_REF)).items) {
      const k = `${p.status?.phase ?? 'none'}${p.spec.nodeName ? '' : '/unbound'}${p.metadata.deletionTimestamp ? '/deleting' : ''}`;
      phases.set(k, (phases.get(k) ?? 0) + 1);
    }
    throw new Error(`${(err as Error).message}; watch: ${view.present.size} present, ${view.running.size} running; list: ${[...phases].map(([k, n]) => `${k}=${n}`).join(' ')}`);
  }
}

export async function runControllers(o: BenchOptions): Promise<BenchResult> {
  requireKubectl();
  const count = o.quick ? 200 : 1000;
  const notes: string[] = [];
  const root = makeTempDir('podling-bench-controllers-');
  const prof = o.profile ? makeTempDir('podling-bench-prof-') : undefined;
  let api: BenchApiserver | undefined;
  let kubelet: RunningKubelet | undefined;
  try {
    api = await startBenchApiserver({ args: ['--controllers', '*'], nodeArgs: prof ? ['--cpu-prof', '--cpu-prof-dir', prof.dir] : undefined });
    kubelet = await startKubelet({ server: api.url, nodeName: NODE, rootDir: path.join(root.dir, NODE), args: ['--max-pods', String(count + 10)], env: { PODLING_LOG_LEVEL: 'warn' },
      nodeArgs: prof ? ['--cpu-prof', '--cpu-prof-dir', path.join(prof.dir, 'agent')] : undefined });
    const client = new KubeClient({ server: api.url });
    mkdirSync(path.join(root.dir, 'home'));
    const kubectl = makeKubectl(api.url, path.join(root.dir, 'home'));
    const view = new PodView();
    const watch = client.watch<Pod>(POD_REF, { resourceVersion: '0' }, (ev) => view.seen(ev));
    const podsRoot = `${kubelet.rootDir}/pods/`;
    const allGone = async (what: string) => {
      // A pod whose container outlives its SIGTERM keeps its object until the grace period ends: name what is left.
      const straggler = setTimeout(() => {
        const left = processesUnder(podsRoot);
        if (left.length > 0) notes.push(`${what}: after 8 s, left: ${describeProcesses(left)}`);
      }, 8000);
      try {
        await until(client, view, () => view.present.size === 0, `${what}: pod objects gone`);
        await waitFor(() => processesUnder(podsRoot).length === 0, { timeoutMs: 60_000, intervalMs: 20, message: `${what}: container processes gone` });
      } finally {
        clearTimeout(straggler);
      }
    };
    await waitFor(async () => (await client.list({ resource: 'nodes' })).items.length === 1, { timeoutMs: 20_000, message: 'node registered' });
    // kubectl's discovery cache is filled before the clock starts, as on any workstation that used it before.
    await kubectl.ok(['api-resources']);

    // What each phase cost: storage writes and commits, 429s, pod watch events, apiserver and agent CPU.
    const phase = async <T>(label: string, fn: () => Promise<T>): Promise<number> => {
      const m0 = await readMetrics(api!.url);
      const e0 = view.events;
      const c0 = [cpuSeconds(api!.pid), cpuSeconds(kubelet!.process.pid), machineBusySeconds(), process.cpuUsage()];
      const t0 = performance.now();
      await fn();
      const ms = performance.now() - t0;
      const machine = machineBusySeconds() - (c0[2] as number);
      const busy = machine / (ms / 1000) / os.availableParallelism();
      const own = process.cpuUsage(c0[3] as NodeJS.CpuUsage);
      const apiCpu = cpuSeconds(api!.pid) - (c0[0] as number);
      const agentCpu = cpuSeconds(kubelet!.process.pid) - (c0[1] as number);
      const benchCpu = (own.user + own.system) / 1e6;
      const at = (t: number) => (t > t0 ? `${((t - t0) / 1000).toFixed(1)} s` : '-');
      const m1 = await readMetrics(api!.url);
      const d = (k: string) => (m1[k] ?? 0) - (m0[k] ?? 0);
      notes.push(`${label}: ${(ms / 1000).toFixed(1)} s; ${(d('podling_storage_writes_total') / count).toFixed(1)} writes/pod in ` +
        `${d('podling_storage_commits_total')} commits, ${d('podling_inflight_rejected_total')} requests refused (429), ` +
        `${((view.events - e0) / count).toFixed(1)} pod watch events/pod; CPU s: apiserver ${apiCpu.toFixed(1)}, ` +
        `agent ${agentCpu.toFixed(1)}, this benchmark ${benchCpu.toFixed(1)}, the rest (spawner, pod processes, kernel, kubectl) ` +
        `${(machine - apiCpu - agentCpu - benchCpu).toFixed(1)}, machine ${(100 * busy).toFixed(0)}% busy; ` +
        `last pod added ${at(view.lastAdded)}, bound ${at(view.lastBound)}, Running ${at(view.lastRunning)}, ` +
        `first deleting ${at(view.firstDeleting)}, last object gone ${at(view.lastGone)}`);
      return ms;
    };

    // Baseline: the same number of bare pods through the API, scheduled and run by the same components.
    const bareUp = await phase('bare pods up', async () => {
      let next = 0;
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next < count) {
          const name = `bare-${next++}`;
          await client.create<Pod>(POD_REF, { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [CONTAINER] } });
        }
      }));
      await until(client, view, () => view.running.size === count, `${count} bare pods Running`);
    });
    const bareDown = await phase('bare pods down', async () => {
      const names = [...view.present];
      let next = 0;
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next < names.length) await client.delete(POD_REF, names[next++]);
      }));
      await allGone('bare pods');
    });

    await client.create({ resource: 'deployments', namespace: 'default' }, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [CONTAINER] } } },
    });
    const up = await phase('scale up', async () => {
      await kubectl.ok(['scale', 'deploy/x', `--replicas=${count}`]);
      await until(client, view, () => view.running.size === count, `${count} deployment pods Running`);
    });
    const down = await phase('scale down', async () => {
      await kubectl.ok(['scale', 'deploy/x', '--replicas=0']);
      await allGone('deployment pods');
    });
    watch.stop();
    notes.push(`pods: ${CONTAINER.command.join(' ')}, default terminationGracePeriodSeconds (30 s; sleep exits on SIGTERM)`);
    const target = { op: '<=' as const, limit: TARGET_MS, source: 'issue 15' };
    return {
      benchmark: 'controllers', notes,
      figures: [
        { name: `kubectl scale 0→${count}: all Running`, value: up, unit: 'ms', target,
          baseline: { value: bareUp, label: `${count} bare pods POSTed, 32 in flight`, sameRun: true }, ratio: up / bareUp },
        { name: `kubectl scale ${count}→0: pods and processes gone`, value: down, unit: 'ms', target,
          baseline: { value: bareDown, label: `${count} bare pods DELETEd, 32 in flight`, sameRun: true }, ratio: down / bareDown },
      ],
    };
  } finally {
    await stopBenchCluster(api, kubelet, [], notes);
    if (prof) {
      for (const [who, dir] of [['apiserver', prof.dir], ['agent', path.join(prof.dir, 'agent')]]) {
        const file = list(dir).find((f) => f.endsWith('.cpuprofile'));
        if (!file) continue;
        const kept = path.join(here, 'results', `controllers-${who}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
        mkdirSync(path.dirname(kept), { recursive: true });
        renameSync(path.join(dir, file), kept);
        notes.push(`${who} profile kept as ${path.relative(process.cwd(), kept)}; own code by inclusive time:`);
        for (const f of summarizeProfile(kept, 12).ownInclusive) notes.push(`  ${f.selfPercent.toFixed(1)}% ${f.name} ${f.where}`);
      }
      prof.remove();
    }
    root.remove();
  }
}

/** A few processes by command name, with the signals each blocks, ignores and catches (hex masks). */
function describeProcesses(pids: number[]): string {
  const shown = pids.slice(0, 6).map((pid) => {
    try {
      const st = readFileSync(`/proc/${pid}/status`, 'utf8');
      const f = (k: string) => new RegExp(`^${k}:\\s+(\\S+)`, 'm').exec(st)?.[1] ?? '?';
      return `${f('Name')}[${pid}] blk ${f('SigBlk')} ign ${f('SigIgn')} cgt ${f('SigCgt')}`;
    } catch { return `[${pid}] gone`; }
  });
  return `${pids.length} processes${shown.length ? `: ${shown.join('; ')}` : ''}`;
}

function list(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}

runStandalone(import.meta.url, runControllers);
