// The node proxy (issue 20): how long an endpoint change takes to reach the nftables rules of every node, and what a
// ClusterIP costs in throughput against the same server hit on its pod IP, in the same run.
//
// Two agents on this machine (each with its own table, bridge and pod range) and an apiserver without controllers:
// the benchmark writes a selector-less Service's EndpointSlice itself, so the figure is the proxy's own path
// (watch event → sync → `nft -f`), not the endpoint controller's. Latency: each round adds or removes an endpoint
// (an unused address, never sent anything) and polls both agents' tables every 5 ms until both show it. Throughput:
// autocannon from this process to one `node` HTTP server pod, on its pod IP and through the ClusterIP (host traffic:
// output-hook DNAT plus masquerade). Needs root (nftables, pod network namespaces); says so and skips otherwise.
// Usage: node --import tsx bench/service-proxy.ts [--quick]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ProxyTable } from '@podling/kubelet';
import { makeTempDir, startKubelet, waitFor, type RunningKubelet } from '@podling/testkit';
import { runAutocannon } from './harness/autocannon.ts';
import { startBenchApiserver, type BenchApiserver } from './harness/bench-apiserver.ts';
import { stopBenchCluster } from './harness/bench-pods.ts';
import type { BenchResult } from './harness/figure.ts';
import { summarize } from './harness/percentiles.ts';
import { runStandalone, type BenchOptions } from './harness/standalone.ts';

const NODES = ['bench-proxy-1', 'bench-proxy-2'];
const SERVER = "require('http').createServer((q, s) => s.end('ok')).listen(8080)";

// Loosely typed on purpose: the benchmark reads a handful of fields of what it wrote.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function api(url: string, method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url}${p}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function slice(ips: string[]) {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'echo-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'echo' } },
    addressType: 'IPv4', ports: [{ port: 8080, protocol: 'TCP' }], endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  };
}

export async function runServiceProxy(o: BenchOptions): Promise<BenchResult> {
  const notes: string[] = [];
  if (process.getuid?.() !== 0) return { benchmark: 'service-proxy', figures: [], notes: ['skipped: the proxy programs nftables and pods get network namespaces only as root'] };
  const rounds = o.quick ? 6 : 20;
  const seconds = o.quick ? 2 : 5;
  const root = makeTempDir('podling-bench-proxy-');
  let server: BenchApiserver | undefined;
  const agents: RunningKubelet[] = [];
  try {
    server = await startBenchApiserver();
    const url = server.url;
    for (const n of NODES) agents.push(await startKubelet({ server: url, nodeName: n, rootDir: path.join(root.dir, n) }));
    const tables = agents.map((a) => new ProxyTable(a.nodeName, a.rootDir));
    const everywhere = async (text: string, present: boolean) => (await Promise.all(tables.map((t) => t.list()))).every((r) => (r ?? '').includes(text) === present);

    await api(url, 'POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo', namespace: 'default' },
      spec: { nodeName: NODES[0], terminationGracePeriodSeconds: 1, containers: [{ name: 'echo', image: 'node', command: [process.execPath, '-e', SERVER], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }] },
    });
    const podIP = await waitFor(async () => { const p = await api(url, 'GET', '/api/v1/namespaces/default/pods/echo'); return p.status?.containerStatuses?.[0]?.ready && p.status.podIP as string; },
      { timeoutMs: 60_000, message: 'echo pod ready' });
    const svc = await api(url, 'POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'default' }, spec: { ports: [{ port: 80, targetPort: 8080 }] } });
    const vip = svc.spec.clusterIP as string;
    let current = await api(url, 'POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', slice([podIP]));
    await waitFor(() => everywhere(`dnat to ${podIP}:8080`, true), { timeoutMs: 10_000, message: 'both tables translate the ClusterIP' });

    const latencies: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const extra = `10.250.255.${10 + i}`;
      for (const [ips, present] of [[[podIP, extra], true], [[podIP], false]] as const) {
        const t0 = performance.now();
        current = await api(url, 'PUT', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/echo-1', { ...slice([...ips]), metadata: { ...slice([]).metadata, resourceVersion: current.metadata.resourceVersion } });
        await waitFor(() => everywhere(`dnat to ${extra}:8080`, present), { timeoutMs: 10_000, intervalMs: 5, message: `round ${i}: both tables ${present ? 'add' : 'drop'} ${extra}` });
        latencies.push(performance.now() - t0);
      }
    }

    // Traffic only once both tables translate the ClusterIP and the pod IP is routed to an agent's bridge.
    if (!(await everywhere(`${vip} . tcp . 80 : goto service-default/echo/tcp/`, true))) throw new Error(`no rule for ${vip}:80; not sending`);
    const route = execFileSync('ip', ['route', 'get', podIP], { encoding: 'utf8' });
    if (!/ dev podling/.test(route)) throw new Error(`${podIP} is not routed to a Podling bridge (${route.trim()}); not sending`);
    const direct = await runAutocannon({ url: `http://${podIP}:8080/`, connections: 10, durationS: seconds });
    const viaVip = await runAutocannon({ url: `http://${vip}/`, connections: 10, durationS: seconds });
    const lat = summarize(latencies);
    notes.push(`endpoint change → both nodes' rules: p50 ${lat.p50.toFixed(0)} ms, max ${lat.max.toFixed(0)} ms over ${lat.count} changes (API write included, 5 ms polling)`);
    notes.push(`direct: ${direct.errors} errors, p99 ${direct.p99Ms} ms; ClusterIP: ${viaVip.errors} errors, p99 ${viaVip.p99Ms} ms; 10 connections, ${seconds} s each`);
    return {
      benchmark: 'service-proxy', notes,
      figures: [
        { name: 'endpoint change → rules on every node (2 agents), p50', value: lat.p50, unit: 'ms', target: { op: '<=', limit: 1000, source: 'issue 20' } },
        { name: 'endpoint change → rules on every node (2 agents), max', value: lat.max, unit: 'ms', target: { op: '<=', limit: 1000, source: 'issue 20' } },
        { name: 'requests/s through a ClusterIP (one node HTTP server pod)', value: viaVip.okPerSecond, unit: 'req/s',
          baseline: { value: direct.okPerSecond, label: 'the same pod hit on its pod IP', sameRun: true }, ratio: viaVip.okPerSecond / direct.okPerSecond },
      ],
    };
  } finally {
    for (const a of agents.slice(1)) await a.stop();
    await stopBenchCluster(server, agents[0], [], notes);
    root.remove();
  }
}

runStandalone(import.meta.url, runServiceProxy);
