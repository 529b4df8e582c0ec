// The control plane at scale (issue 18): one apiserver, the controllers in their own process
// (`podling-controller-manager`, as Kubernetes runs kube-controller-manager and kube-scheduler beside
// kube-apiserver) and N hollow nodes in one process (`podling-kubelet --hollow-nodes N`, heartbeating at the default
// 10 s), all on this machine. Pods come
// from Deployments created at full size at once, so the controllers create them at the rate the control plane
// sustains. A watch of all pods times each pod from its ADDED event to bound and to Running; an ApiProbe
// (harness/api-probe.ts) samples mutating-call latency and watch delivery first on the idle cluster (the same-run
// baseline) and then during the run. At the end: full list time, apiserver RSS/CPU, database size, memory per pod
// and any node that ever left Ready; at --scale, also the apiserver's RSS over 150 s more of heartbeats alone, with
// no forced GC (harness/memory-settle.ts). Sizes: --quick 50 nodes / 1,000 pods, default 200 / 5,000, --scale 1,000 / 30,000.
// Usage: node --import tsx bench/scale.ts [--quick | --scale | --nodes N --pods M] [--profile] [--heap-snapshot]
//        [--hollow-heap-snapshot]
// --profile runs the apiserver, the controller manager and the hollow nodes under --cpu-prof and names each one's
// hottest functions; --heap-snapshot writes the apiserver's heap at the end to bench/results, --hollow-heap-snapshot
// the hollow nodes' process's (~700 MB at --scale).
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { KubeObject, Node, Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import {
  cpuSeconds, freePort, machineCpu, makeTempDir, type ManagedProcess, MiB, rssBytes, type RunningHollowNodes,
  startHollowNodes, startTs, waitFor
} from '@podling/testkit';
import { profileNotes } from './harness/cpu-profile.ts';
import { ApiProbe } from './harness/api-probe.ts';
import { runPacedPods } from './harness/paced-pods.ts';
import { peakPerSecond, Timeline } from './harness/scale-timeline.ts';
import { startBenchApiserver, type BenchApiserver } from './harness/bench-apiserver.ts';
import type { BenchResult, Figure } from './harness/figure.ts';
import { summarize } from './harness/percentiles.ts';
import { mutatingLatencySli, readMetrics } from './harness/server-metrics.ts';
import { collectGarbage } from './harness/collect-garbage.ts';
import { inspectArg, readHeap } from './harness/inspector.ts';
import { LoopMonitor } from './harness/loop-monitor.ts';
import { writeHeapSnapshot } from './harness/heap-snapshot.ts';
import { settleMemory, type Settled } from './harness/memory-settle.ts';
import { runStandalone, type BenchOptions } from './harness/standalone.ts';

const POD_REF = { resource: 'pods', namespace: 'default' };
const IDLE_SAMPLE_MS = 3000;
/** The latency phase's rate (pods/s), well under what the control plane binds and starts at every size here. */
const PACED_PER_S = 25;
/** How long a --scale run watches the apiserver after the run, with only heartbeats coming in: past the 100 s after
 *  which V8's memory reducer runs a GC however busy the server is (harness/memory-settle.ts). */
const SETTLE_MS = 150_000;
const SETTLE_STEP_MS = 10_000;

function fileBytes(p: string): number {
  try { return statSync(p).size; } catch { return 0; }
}

/** `--nodes N` / `--pods M` on the command line of a standalone run (for sizes between the named ones). */
function sizeFlag(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
}

const PROFILED = ['apiserver', 'controller-manager', 'hollow-nodes'] as const;

/** `rss` split into V8's heap (committed and used, per space over 1 MiB) and what lies outside it, read from inside
 *  the apiserver through its inspector; with the heap in use. */
async function heapSplit(inspect: number, rss: number): Promise<{ note: string; heapUsed: number }> {
  const { mem, spaces } = await readHeap(inspect);
  const mib = (b: number) => (b / MiB).toFixed(0);
  const note = `RSS ${mib(rss)} MiB = V8 heap ${mib(mem.heapTotal)} MiB committed (${mib(mem.heapUsed)} used; MiB committed/used: ` +
    `${spaces.filter((x) => x.space_size > MiB).map((x) => `${x.space_name} ${mib(x.space_size)}/${mib(x.space_used_size)}`).join(', ')}) + ` +
    `${mib(rss - mem.heapTotal)} MiB outside it (external ${mib(mem.external)} MiB, code, native allocations)`;
  return { note, heapUsed: mem.heapUsed };
}

/** bench/results/scale-<who>-<time>.<ext>, its directory made. */
function resultFile(who: string, ext: string): string {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `scale-${who}-${new Date().toISOString().replace(/[:.]/g, '-')}.${ext}`);
}

export async function runScale(o: BenchOptions): Promise<BenchResult> {
  const nodes = sizeFlag('--nodes') ?? (o.scale ? 1000 : o.quick ? 50 : 200);
  const pods = sizeFlag('--pods') ?? (o.scale ? 30_000 : o.quick ? 1000 : 5000);
  const perDeployment = pods >= 30_000 ? 1000 : 500;
  const notes: string[] = [];
  let api: BenchApiserver | undefined;
  let hollow: RunningHollowNodes | undefined;
  let manager: ManagedProcess | undefined;
  const prof = o.profile ? makeTempDir('podling-bench-prof-') : undefined;
  const profArgs = (who: typeof PROFILED[number]) => prof ? ['--cpu-prof', '--cpu-prof-dir', path.join(prof.dir, who)] : [];
  const inspect = await freePort();
  const hollowInspect = process.argv.includes('--hollow-heap-snapshot') ? await freePort() : undefined;
  try {
    const controllerFlags = ['--controllers', '*', '--cluster-cidr', '10.0.0.0/12'];
    api = await startBenchApiserver({ nodeArgs: [inspectArg(inspect), ...profArgs('apiserver')] });
    // At warn, as the apiserver: a log line per pod would be the controllers' own cost in this run.
    manager = startTs('packages/controllers/src/main.ts', { args: ['--server', api.url, ...controllerFlags], env: { PODLING_LOG_LEVEL: 'warn' }, nodeArgs: profArgs('controller-manager') });
    const client = new KubeClient({ server: api.url });
    await waitFor(async () => (await client.get<KubeObject & { spec?: { holderIdentity?: string } }>({ resource: 'leases', namespace: 'kube-system' }, 'kube-controller-manager').catch(() => undefined))?.spec?.holderIdentity,
      { timeoutMs: 30_000, intervalMs: 100, message: 'the controller manager leads' });
    const rss0 = rssBytes(api.pid)!;
    const t0Nodes = performance.now();
    hollow = await startHollowNodes({ server: api.url, count: nodes, prefix: 'hollow', env: { PODLING_LOG_LEVEL: 'warn' }, readyTimeoutMs: 120_000,
      nodeArgs: [...profArgs('hollow-nodes'), ...(hollowInspect ? [inspectArg(hollowInspect)] : [])] });
    await waitFor(async () => (await client.list<Node>({ resource: 'nodes' })).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === nodes,
      { timeoutMs: 60_000, intervalMs: 500, message: `${nodes} hollow nodes Ready` });
    notes.push(`${nodes} hollow nodes Ready in ${((performance.now() - t0Nodes) / 1000).toFixed(1)} s (started over one 10 s status period); apiserver RSS ${(rss0 / MiB).toFixed(0)} MiB before, ${(rssBytes(api.pid)! / MiB).toFixed(0)} MiB with the nodes`);
    const rssNodes = rssBytes(api.pid)!;

    const view = new Timeline();
    const probe = new ApiProbe(client);
    const podWatch = client.watch<Pod>(POD_REF, { resourceVersion: '0' }, (ev) => { view.pod(ev.type, ev.object as Pod); probe.seen(ev.type, ev.object as Pod); });
    const nodeWatch = client.watch<Node>({ resource: 'nodes' }, { resourceVersion: '0' }, (ev) => view.node(ev.type, ev.object as Node));
    // The timeline is only what these watches saw: one the apiserver cuts (a reader too slow for its buffer, as this
    // process is while it reads a 50 MB list) ends the run with that reason, not with timings short of events.
    let watching = true;
    const watchLost = new Promise<never>((_, reject) => {
      const lost = (what: string) => (err?: unknown) => {
        if (watching) reject(new Error(`the benchmark's watch of ${what} ${err ? `failed (${(err as Error).message})` : 'ended'} before the run did`));
      };
      podWatch.done.then(lost('pods'), lost('pods'));
      nodeWatch.done.then(lost('nodes'), lost('nodes'));
    });
    watchLost.catch(() => {}); // raced below, where a loss fails the run
    const loop = new LoopMonitor(inspect);
    await loop.start();
    probe.start();
    await new Promise((r) => setTimeout(r, IDLE_SAMPLE_MS));
    const idle = await probe.take();
    const loopIdle = await loop.take();

    const cpu0 = [cpuSeconds(api.pid), cpuSeconds(hollow.process.pid), cpuSeconds(manager.pid), machineCpu().busy, cpuSeconds(process.pid), machineCpu().steal];
    const m0 = await readMetrics(api.url);
    const t0 = performance.now();
    probe.start();
    for (let d = 0; d * perDeployment < pods; d++) {
      const replicas = Math.min(perDeployment, pods - d * perDeployment);
      await client.create({ resource: 'deployments', namespace: 'default' }, {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `scale-${d}` },
        spec: { replicas, selector: { matchLabels: { app: `scale-${d}` } }, template: { metadata: { labels: { app: `scale-${d}` } }, spec: { containers: [{ name: 'app', image: 'app:1', command: ['sleep', 'infinity'] }] } } },
      });
    }
    await Promise.race([watchLost, waitFor(() => view.running.size >= pods, { timeoutMs: o.scale ? 900_000 : 300_000, intervalMs: 100, message: `${pods} pods Running` })])
      .catch((err: Error) => { throw new Error(`${err.message}: ${view.added.size} added, ${view.bound.size} bound, ${view.running.size} running`); });
    const runMs = performance.now() - t0;
    const busy = await probe.take();
    const loopBusy = await loop.take();
    const apiCpu = cpuSeconds(api.pid) - cpu0[0];
    const hollowCpu = cpuSeconds(hollow.process.pid) - cpu0[1];
    const managerCpu = cpuSeconds(manager.pid) - cpu0[2];
    const machine = machineCpu();
    const machineBusy = machine.busy - cpu0[3];
    const steal = machine.steal - cpu0[5];
    const benchCpu = cpuSeconds(process.pid) - cpu0[4];
    const rssRun = rssBytes(api.pid)!;
    const m1 = await readMetrics(api.url);
    const d = (k: string) => (m1[k] ?? 0) - (m0[k] ?? 0);
    notes.push(`during the run: ${(d('podling_storage_writes_total') / pods).toFixed(1)} storage writes per pod in ${d('podling_storage_commits_total')} commits, ${d('podling_inflight_rejected_total')} requests refused (429)`);
    const sli = mutatingLatencySli(m0, m1);
    notes.push(`apiserver_request_duration_seconds during the run: ${sli.count} mutating calls on single objects, ${(100 * sli.within100ms).toFixed(1)}% within 100 ms; ` +
      `p99 ${sli.p99Ms.toFixed(0)} ms over all, slowest pair ${sli.worst.pair} p99 ${sli.worst.p99Ms.toFixed(0)} ms (${sli.worst.count} calls)`);

    const startup = summarize([...view.running].map(([n, t]) => t - view.added.get(n)!));
    const toBind = summarize([...view.bound].map(([n, t]) => t - view.added.get(n)!));
    const boundToRunning = summarize([...view.running].map(([n, t]) => t - (view.bound.get(n) ?? t)));
    const boundTimes = [...view.bound.values()];
    const bindSpan = (Math.max(...boundTimes) - Math.min(...boundTimes)) / 1000;
    const paced = summarize(await Promise.race([watchLost, runPacedPods(client, o.quick ? 50 : o.scale ? 500 : 200, PACED_PER_S, (n) => view.pacedRunning.get(n))]));
    watching = false;
    podWatch.stop();
    nodeWatch.stop();
    const lists: number[] = [];
    let listBytes = 0;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const res = await fetch(`${api.url}/api/v1/pods`);
      listBytes = (await res.arrayBuffer()).byteLength;
      lists.push(performance.now() - t);
    }
    const rssEnd = rssBytes(api.pid)!;
    // The same split before any forced GC: what the figure at the end holds besides what is live (the young
    // generation, old-space garbage not yet collected, memory outside V8).
    notes.push(`apiserver memory at the end, before any forced GC: ${(await heapSplit(inspect, rssEnd)).note}`);
    // The target is for a cluster of this size, not for the moment after a burst: at --scale, also what the apiserver
    // holds once V8 has had the time to give back what the burst made it grow into.
    let settled: Settled | undefined;
    if (o.scale) {
      settled = await settleMemory(inspect, api.pid, SETTLE_MS, SETTLE_STEP_MS);
      notes.push(`the next ${SETTLE_MS / 1000} s, heartbeats only: apiserver RSS every ${SETTLE_STEP_MS / 1000} s ${settled.samples.map((b) => (b / MiB).toFixed(0)).join(' ')} MiB ` +
        `(V8 heap committed ${settled.heapCommitted.map((b) => (b / MiB).toFixed(0)).join(' ')}, of which young generation ${settled.youngCommitted.map((b) => (b / MiB).toFixed(0)).join(' ')}); ` +
        `V8's memory reducer GC${settled.reducerAtS.length === 1 ? '' : 's'} at ${settled.reducerAtS.length ? settled.reducerAtS.map((t) => `+${t.toFixed(0)} s`).join(', ') : 'none'}; ` +
        `apiserver CPU ${settled.cores.toFixed(2)} cores; at the end ${(await heapSplit(inspect, settled.rss)).note}`);
    }
    const events = await (await fetch(`${api.url}/api/v1/events`)).arrayBuffer();
    notes.push(`stored besides the pods: ${(await client.list({ resource: 'events' })).items.length} events, ${(events.byteLength / MiB).toFixed(1)} MiB as a JSON list`);
    await collectGarbage(inspect);
    const rssGc = rssBytes(api.pid)!;
    // What the objects themselves hold, without the heap's free room or native memory: far steadier than RSS.
    const afterGc = await heapSplit(inspect, rssGc);
    const heapGc = afterGc.heapUsed;
    notes.push(`apiserver memory after a full GC: ${afterGc.note}`);
    // One full GC picks the pages it compacts by what the previous sweep found free, so it leaves the pages that
    // the run's garbage emptied; the next ones compact them (V8's memory reducer also runs up to three).
    await collectGarbage(inspect);
    await collectGarbage(inspect);
    const rssGc3 = rssBytes(api.pid)!;
    const heap3 = (await readHeap(inspect)).mem;
    notes.push(`after two more full GCs: RSS ${(rssGc3 / MiB).toFixed(0)} MiB, V8 heap ${(heap3.heapTotal / MiB).toFixed(0)} MiB committed (${(heap3.heapUsed / MiB).toFixed(0)} used)`);
    const dbBytes = fileBytes(api.dbPath) + fileBytes(`${api.dbPath}-wal`);
    const mutIdle = summarize(idle.mutatingMs);
    const mutBusy = summarize(busy.mutatingMs);
    const delIdle = summarize(idle.deliveryMs);
    const delBusy = summarize(busy.deliveryMs);
    notes.push(`${pods} pods in ${Math.ceil(pods / perDeployment)} Deployments: all Running ${(runMs / 1000).toFixed(1)} s after the first was created; ` +
      `CPU s: apiserver ${apiCpu.toFixed(1)} (${(apiCpu / (runMs / 1000)).toFixed(2)} cores), ` +
      `controller manager ${managerCpu.toFixed(1)} (RSS ${((rssBytes(manager.pid) ?? 0) / MiB).toFixed(0)} MiB), hollow nodes ${hollowCpu.toFixed(1)}; ` +
      `hollow process RSS ${((rssBytes(hollow.process.pid) ?? 0) / MiB).toFixed(0)} MiB; this benchmark's own process ${benchCpu.toFixed(1)}; ` +
      `the whole machine ${(machineBusy / (runMs / 1000)).toFixed(2)} cores busy (${(machineBusy - apiCpu - managerCpu - hollowCpu - benchCpu).toFixed(1)} CPU-s outside these four), ${(steal / (runMs / 1000)).toFixed(2)} cores stolen by the hypervisor`);
    notes.push(`apiserver event loop during the run: late by p50 ${loopBusy.delay.p50.toFixed(1)} ms, p99 ${loopBusy.delay.p99.toFixed(1)} ms, at most ${loopBusy.delay.max.toFixed(0)} ms; ` +
      `${loopBusy.gc.count} GC pauses, p99 ${loopBusy.gc.p99.toFixed(1)} ms, ${(loopBusy.gc.mean * loopBusy.gc.count / 1000).toFixed(1)} s in all`);
    notes.push(`create → bound p50 ${toBind.p50.toFixed(0)} ms, p99 ${toBind.p99.toFixed(0)} ms; bound → Running p50 ${boundToRunning.p50.toFixed(0)} ms, p99 ${boundToRunning.p99.toFixed(0)} ms; probe samples idle ${mutIdle.count} / run ${mutBusy.count}, errors ${busy.errors}`);
    notes.push(`full list: ${(listBytes / MiB).toFixed(1)} MiB, ${lists.map((l) => l.toFixed(0)).join(' / ')} ms; apiserver RSS ${(rssRun / MiB).toFixed(0)} MiB after the run, ${(rssEnd / MiB).toFixed(0)} MiB after 3 lists`);
    if (hollowInspect) {
      const file = resultFile('hollow-nodes', 'heapsnapshot');
      await writeHeapSnapshot(hollowInspect, file);
      notes.push(`hollow nodes' heap snapshot written to ${path.relative(process.cwd(), file)}`);
    }
    if (process.argv.includes('--heap-snapshot')) {
      const file = resultFile('apiserver', 'heapsnapshot');
      await writeHeapSnapshot(inspect, file);
      notes.push(`apiserver heap snapshot written to ${path.relative(process.cwd(), file)}`);
    }
    const sizeLabel = `${nodes} nodes, ${pods} pods`;
    const idleBase = (v: number) => ({ value: v, label: `idle cluster, ${nodes} nodes heartbeating`, sameRun: true });
    // Issue 18's memory target, for each reading of the apiserver's RSS at its size.
    const rssTarget: Figure['target'] = o.scale ? { op: '<=', limit: 300, source: 'issue 18' } : undefined;
    const settledFigures: Figure[] = settled
      ? [{ name: `apiserver RSS ${SETTLE_MS / 1000} s later, heartbeats only, no forced GC`, value: settled.rss / MiB, unit: 'MiB', target: rssTarget }]
      : [];
    const figures: Figure[] = [
      { name: `scheduler: pods bound/s (${sizeLabel})`, value: pods / bindSpan, unit: '/s', target: o.scale ? { op: '>=', limit: 1000, source: 'issue 18' } : undefined },
      { name: 'scheduler: peak pods bound in 1 s', value: peakPerSecond(boundTimes), unit: '/s' },
      { name: 'create → Running p50 (the burst)', value: startup.p50, unit: 'ms' },
      { name: 'create → Running p99 (the burst: scheduler backlog)', value: startup.p99, unit: 'ms', target: { op: '<=', limit: 1000, source: 'issue 18' } },
      { name: `create → Running p50, ${paced.count} pods at ${PACED_PER_S}/s after the burst`, value: paced.p50, unit: 'ms' },
      { name: `create → Running p99, ${paced.count} pods at ${PACED_PER_S}/s after the burst`, value: paced.p99, unit: 'ms', target: { op: '<=', limit: 1000, source: 'issue 18' } },
      { name: 'mutating API p99 during the run', value: mutBusy.p99, unit: 'ms', target: { op: '<=', limit: 100, source: 'issue 18' }, baseline: idleBase(mutIdle.p99), ratio: mutBusy.p99 / mutIdle.p99 },
      // kube's own SLI: the server's part of every mutating call, per (verb, resource) pair; the probe above also
      // counts the time its request waits to be read while the apiserver's loop is busy.
      { name: 'mutating API p99 at the apiserver, slowest (verb, resource) pair', value: sli.worst.p99Ms, unit: 'ms' },
      { name: 'watch delivery p99 during the run (create sent → event)', value: delBusy.p99, unit: 'ms', baseline: idleBase(delIdle.p99), ratio: delBusy.p99 / delIdle.p99 },
      // What the latency tail above is made of: a request waits for the apiserver's loop turn in progress, then its own.
      { name: 'apiserver event-loop delay p99 during the run', value: loopBusy.delay.p99, unit: 'ms', baseline: idleBase(loopIdle.delay.p99) },
      { name: 'apiserver longest GC pause during the run', value: loopBusy.gc.max, unit: 'ms', baseline: idleBase(loopIdle.gc.count ? loopIdle.gc.max : 0) },
      { name: 'full GET /api/v1/pods (median of 3)', value: summarize(lists).p50, unit: 'ms' },
      { name: 'apiserver RSS at the end', value: rssEnd / MiB, unit: 'MiB', target: rssTarget, baseline: { value: rssNodes / MiB, label: 'with the nodes, before any pod', sameRun: true } },
      ...settledFigures,
      { name: 'apiserver RSS at the end, after a full GC', value: rssGc / MiB, unit: 'MiB', target: rssTarget },
      { name: 'apiserver V8 heap used after that GC', value: heapGc / MiB, unit: 'MiB' },
      { name: 'apiserver CPU during the run', value: apiCpu / (runMs / 1000), unit: 'cores' },
      { name: 'apiserver memory per pod', value: (rssRun - rssNodes) / pods / 1024, unit: 'KiB' },
      { name: 'SQLite file size (db + wal)', value: dbBytes / MiB, unit: 'MiB' },
      { name: 'nodes that left Ready during the run', value: view.notReadyNodes.size, unit: '', target: { op: '<=', limit: 0, source: 'issue 18' } },
    ];
    return { benchmark: 'scale', notes, figures };
  } finally {
    // A profiled process writes its profile as it exits: give the thousand nodes' shutdown time to finish.
    await (prof ? hollow?.process.stop(30_000) : hollow?.stop());
    await manager?.stop();
    await api?.stop();
    for (const who of prof ? PROFILED : []) {
      const dir = path.join(prof!.dir, who);
      const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
      if (!file) continue;
      const kept = resultFile(who, 'cpuprofile');
      renameSync(path.join(dir, file), kept);
      notes.push(`${who} profile kept as ${path.relative(process.cwd(), kept)}`);
      notes.push(...profileNotes(who, kept));
    }
    prof?.remove();
  }
}

runStandalone(import.meta.url, runScale);
