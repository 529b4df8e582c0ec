// Issue 8: Podling across machines. The apiserver and two agents each run on their own "machine" (a network
// namespace on a private bridge, 10.77.0.0/24), secured with the CA, serving certificate and tokens from
// `podling-apiserver --generate-certs`; each agent reaches the apiserver only at 10.77.0.1 and the apiserver reaches
// each agent only at its own lab address. The steps run in order and tell one story: register, run, fetch logs,
// lose a machine, get it back, restart the control plane. Issue 19 adds pod networking across the machines: pod ranges,
// host-gw routes, pod-to-pod traffic without NAT, and masquerade towards an "outside" machine on another subnet.
// Issue 20 adds Services through each node's proxy (service-proxy-steps.ts).
//
// Needs root and `ip netns` (should-run.ts); elsewhere it is skipped with the reason. Run it with
// `npm run test:multihost`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { isStatusError, type Node, type Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { LabCluster, KUBELET_PORT, sweepStaleRuns } from './lab-cluster.ts';
import { ip } from './netns-lab.ts';
import { ProxyTable } from '@podling/kubelet';
import { podProcesses, startedPodProcesses } from './pod-processes.ts';
import { greeterPod, runningAndReady } from './greeter-pod.ts';
import { serviceProxySteps } from './service-proxy-steps.ts';
import { multihostSkipReason } from './should-run.ts';

const skip = multihostSkipReason();
if (skip) process.stdout.write(`multihost test skipped: ${skip}\n`);

const GRACE = 3; // seconds: --node-monitor-grace-period and --pod-eviction-timeout
const pods = { resource: 'pods', namespace: 'default' };

const readyStatus = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;

describe('Podling on three machines: apiserver and two agents in separate network namespaces, TLS and tokens', { skip, timeout: 240_000 }, () => {
  let c: LabCluster;
  let failed = false;
  const uids = new Map<string, string>();

  const getPod = (name: string) => c.client.get<Pod>(pods, name);
  const waitPod = async (name: string, cond: (p: Pod) => boolean, what: string, timeoutMs = 20_000): Promise<Pod> => {
    let last: Pod | undefined;
    try {
      return await waitFor(async () => { last = await getPod(name); return cond(last) && last; }, { timeoutMs, message: `pod ${name} ${what}` });
    } catch (e) {
      throw new Error(`${(e as Error).message}; last seen: ${JSON.stringify({ nodeName: last?.spec.nodeName, deletionTimestamp: last?.metadata.deletionTimestamp, status: last?.status })}`);
    }
  };
  const gone = async (name: string) => {
    try { await getPod(name); return false; } catch (e) { if (isStatusError(e) && e.code === 404) return true; throw e; }
  };
  const node = (name: string) => c.client.get<Node>({ resource: 'nodes' }, name);
  const log = async (name: string) => (await c.client.request('GET', `/api/v1/namespaces/default/pods/${name}/log`)).text();
  const podlingRoutes = (role: string) => ip('-n', c.host(role).ns, '-4', 'route', 'show', 'proto', '147').trim();
  const masqueradeTable = (role: string) => {
    try { return ip('netns', 'exec', c.host(role).ns, 'nft', 'list', 'table', 'ip', `podling-${role}`); } catch { return undefined; }
  };
  const processesOf = (podName: string, nodeName: string) => podProcesses(c.agents.get(nodeName)!.rootDir, uids.get(podName)!);
  const startedProcessesOf = (podName: string, nodeName: string) => startedPodProcesses(c.agents.get(nodeName)!.rootDir, uids.get(podName)!);
  const runPod = async (pod: Pod, what: string) => {
    const created = await c.client.create<Pod>(pods, pod);
    uids.set(pod.metadata.name!, created.metadata.uid!);
    return waitPod(pod.metadata.name!, runningAndReady, what);
  };
  /** Each step marks the run failed, so `after` prints every process's output only when something went wrong. */
  const step = (name: string, fn: () => Promise<void>) => it(name, async () => {
    try { await fn(); } catch (e) { failed = true; throw e; }
  });

  before(async () => {
    sweepStaleRuns();
    c = new LabCluster({
      nodes: [{ name: 'node-1', labels: { 'lab.podling.dev/machine': 'one' } }, { name: 'node-2', labels: { 'lab.podling.dev/machine': 'two' } }],
      apiserverArgs: ['--node-monitor-grace-period', `${GRACE}s`, '--node-monitor-period', '1s', '--pod-eviction-timeout', `${GRACE}s`, '--pod-gc-period', '2s'],
      agentArgs: ['--node-status-update-frequency', '1s'],
      extraHosts: ['outside'],
    });
    try { await c.start(); } catch (e) { failed = true; throw e; }
  });

  after(async () => {
    if (!c) return;
    if (failed) process.stderr.write(`${c.report()}\n`);
    await c.teardown();
  });

  step('both agents register their Node with their own lab address and the kubelet port, and become Ready', async () => {
    for (const [name, ip] of [['node-1', '10.77.0.2'], ['node-2', '10.77.0.3']]) {
      const n = await waitFor(async () => { const n = await node(name); return readyStatus(n) === 'True' && n; },
        { timeoutMs: 20_000, message: `node ${name} Ready` });
      assert.deepEqual(n.status!.addresses!.find((a) => a.type === 'InternalIP'), { type: 'InternalIP', address: ip });
      assert.equal(n.status!.daemonEndpoints!.kubeletEndpoint!.Port, KUBELET_PORT);
    }
  });

  step('issue 19: each node gets its own pod range; each agent routes the other\'s through its lab address (host-gw) and masquerades its pods leaving the cluster range', async () => {
    const ranges = new Map<string, string>();
    for (const name of ['node-1', 'node-2']) {
      const n = await waitFor(async () => { const n = await node(name); return n.spec?.podCIDR ? n : undefined; }, { timeoutMs: 20_000, message: `${name} given a pod range` });
      assert.match(n.spec!.podCIDR!, /^10\.244\.\d+\.0\/24$/);
      assert.deepEqual(n.spec!.podCIDRs, [n.spec!.podCIDR]);
      ranges.set(name, n.spec!.podCIDR!);
    }
    assert.notEqual(ranges.get('node-1'), ranges.get('node-2'));
    for (const [self, other, via] of [['node-1', 'node-2', '10.77.0.3'], ['node-2', 'node-1', '10.77.0.2']]) {
      await waitFor(() => podlingRoutes(self) === `${ranges.get(other)} via ${via} dev eth0`,
        { timeoutMs: 15_000, message: `${self} routes ${other}'s pod range via ${via}` });
      // The masquerade rule is written on its own path (the node's pod range, not the Node watch): wait for it too.
      const masquerade = new RegExp(`ip saddr ${ranges.get(self)!.replace(/\./g, '\\.')} ip daddr != \\{ 10\\.244\\.0\\.0/16, 224\\.0\\.0\\.0/4 \\} masquerade`);
      await waitFor(() => masquerade.test(masqueradeTable(self) ?? ''), { timeoutMs: 15_000, message: `${self} masquerades its pods leaving the cluster range` });
    }
    assert.equal(podlingRoutes('api'), '', 'the apiserver\'s machine runs no agent and has no route');
  });

  // Servers that answer each connection with the address they see it from (no NAT: the client's own).
  const ECHO_PEER = "require('net').createServer((s) => s.end(s.remoteAddress + '\\n')).listen(8080, process.argv[1], () => console.log('ready'))";
  /** Dials argv[1]:8080 (retrying while the server starts) and prints the answer. */
  const DIAL = "const net = require('net'); let tries = 0; (function go() { const s = net.connect(8080, process.argv[1]); let d = ''; s.on('data', (b) => { d += b; }); s.on('end', () => process.stdout.write(d)); s.on('error', (e) => { if (++tries < 50) setTimeout(go, 200); else { console.log('error ' + e.message); process.exitCode = 1; } }); })()";
  /** "The internet": 198.51.100.1 on the outside machine, the nodes' gateway to that subnet, with no route back to any pod range. */
  const connectOutside = async () => {
    const outside = c.host('outside');
    ip('-n', outside.ns, 'addr', 'add', '198.51.100.1/32', 'dev', 'lo');
    for (const n of ['node-1', 'node-2']) ip('-n', c.host(n).ns, 'route', 'add', '198.51.100.0/24', 'via', outside.ip);
    const p = spawn('ip', ['netns', 'exec', outside.ns, process.execPath, '-e', ECHO_PEER, '198.51.100.1']);
    await new Promise((resolve, reject) => { p.stdout.once('data', resolve); p.once('exit', reject); });
    return p;
  };
  let internet: ReturnType<typeof spawn> | undefined;
  after(() => { internet?.kill(); });

  step('issue 19: a pod on node-1 reaches a pod on node-2 by its pod IP and is seen with its own; reaching the outside, it is seen as node-1', async () => {
    const pod = (name: string, nodeName: string, command: string[], restartPolicy: 'Always' | 'Never'): Pod => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
      spec: { nodeName, restartPolicy, terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: 'node', command }] },
    });
    internet = await connectOutside();
    const server = await runPod(pod('echo-2', 'node-2', [process.execPath, '-e', ECHO_PEER, '0.0.0.0'], 'Always'), 'echo server running on node-2');
    const range = (await node('node-2')).spec!.podCIDR!;
    assert.ok(server.status!.podIP && server.status!.podIP !== '10.77.0.3', `echo-2 has its own pod IP in ${range}, got ${server.status!.podIP}`);
    const finished = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
    for (const [name, target] of [['dial-pod', server.status!.podIP!], ['dial-outside', '198.51.100.1']]) {
      await c.client.create<Pod>(pods, pod(name, 'node-1', [process.execPath, '-e', DIAL, target], 'Never'));
    }
    const toPod = await waitPod('dial-pod', finished, 'finished', 30_000);
    const toOutside = await waitPod('dial-outside', finished, 'finished', 30_000);
    assert.match(toPod.status!.podIP!, /^10\.244\./);
    assert.equal(await log('dial-pod'), `${toPod.status!.podIP}\n`, 'echo-2 on node-2 saw the client pod\'s own IP: no NAT between pods');
    assert.equal(await log('dial-outside'), '10.77.0.2\n', 'the outside saw node-1\'s address: masqueraded');
    assert.equal(toOutside.status!.phase, 'Succeeded');
    for (const name of ['echo-2', 'dial-pod', 'dial-outside']) await c.client.delete(pods, name);
    for (const name of ['echo-2', 'dial-pod', 'dial-outside']) await waitFor(() => gone(name), { timeoutMs: 20_000, message: `${name} deleted` });
  });

  serviceProxySteps(() => c, step);

  step('a pod pinned to each node runs there: node-1 by nodeName, node-2 by nodeSelector', async () => {
    const one = await runPod(greeterPod('pinned-1', { nodeName: 'node-1' }), 'running on node-1');
    const two = await runPod(greeterPod('pinned-2', { nodeSelector: { 'lab.podling.dev/machine': 'two' } }), 'running on node-2');
    assert.equal(one.status!.hostIP, '10.77.0.2');
    assert.equal(two.spec.nodeName, 'node-2');
    assert.equal(two.status!.hostIP, '10.77.0.3');
    await startedProcessesOf('pinned-1', 'node-1');
    await startedProcessesOf('pinned-2', 'node-2');
    assert.deepEqual(processesOf('pinned-1', 'node-2'), [], 'node-2 does not run node-1\'s pod');
  });

  step('logs come through the apiserver from each agent at its own address', async () => {
    assert.equal(await log('pinned-1'), 'pinned-1 on 10.77.0.2\n');
    assert.equal(await log('pinned-2'), 'pinned-2 on 10.77.0.3\n');
  });

  step('cutting node-1\'s link makes it Unknown and its pods Terminating; node-2 keeps serving new pods', async () => {
    const before = processesOf('pinned-1', 'node-1');
    c.lab!.cut('node-1');
    await waitFor(async () => readyStatus(await node('node-1')) === 'Unknown', { timeoutMs: 15_000, message: 'node-1 Ready=Unknown' });
    assert.equal(readyStatus(await node('node-2')), 'True');
    await waitPod('pinned-1', (p) => !!p.metadata.deletionTimestamp, 'Terminating (evicted)', 15_000);
    assert.deepEqual(processesOf('pinned-1', 'node-1'), before, 'the unreachable agent has not heard of the eviction');
    const moved = await runPod(greeterPod('while-cut', {}), 'scheduled to the node that is still Ready and running');
    assert.equal(moved.spec.nodeName, 'node-2');
    assert.equal(await log('while-cut'), 'while-cut on 10.77.0.3\n');
    assert.equal((await getPod('pinned-2')).metadata.deletionTimestamp, undefined, 'node-2\'s pods are untouched');
  });

  step('restoring the link lets node-1\'s agent finish the deletions: pods gone, processes gone', async () => {
    c.lab!.restore('node-1');
    await waitFor(() => gone('pinned-1'), { timeoutMs: 30_000, message: 'pinned-1 deleted by its agent after the link came back' });
    assert.deepEqual(processesOf('pinned-1', 'node-1'), [], 'pinned-1\'s processes stopped');
    await waitFor(async () => readyStatus(await node('node-1')) === 'True', { timeoutMs: 20_000, message: 'node-1 Ready again' });
    await runPod(greeterPod('back-1', { nodeName: 'node-1' }), 'running on node-1 after the link came back');
  });

  step('restarting the apiserver: both agents reconnect and resume without duplicating a process', async () => {
    const survivors = [['pinned-2', 'node-2'], ['while-cut', 'node-2'], ['back-1', 'node-1']];
    const before = await Promise.all(survivors.map(([p, n]) => startedProcessesOf(p, n))); // back-1 has only just started
    await c.restartApiserver();
    // Heartbeat times have whole seconds: one stamped at or after the next full second was sent after the restart.
    const since = Math.ceil(Date.now() / 1000) * 1000;
    for (const name of ['node-1', 'node-2']) {
      await waitFor(async () => {
        const hb = (await node(name)).status?.conditions?.find((x) => x.type === 'Ready')?.lastHeartbeatTime;
        return hb !== undefined && Date.parse(hb) >= since;
      }, { timeoutMs: 20_000, message: `${name} heartbeats to the restarted apiserver` });
    }
    // Each agent watches again: a new pod starts on each node, and a deletion reaches node-2's agent.
    await runPod(greeterPod('after-restart-1', { nodeName: 'node-1' }), 'running on node-1 after the restart');
    await runPod(greeterPod('after-restart-2', { nodeName: 'node-2' }), 'running on node-2 after the restart');
    await c.client.delete(pods, 'while-cut');
    await waitFor(() => gone('while-cut'), { timeoutMs: 20_000, message: 'while-cut deleted after the restart' });
    assert.deepEqual(processesOf('while-cut', 'node-2'), []);
    assert.deepEqual(processesOf('pinned-2', 'node-2'), before[0], 'pinned-2: the same processes, none added');
    assert.deepEqual(processesOf('back-1', 'node-1'), before[2], 'back-1: the same processes, none added');
    for (const name of ['pinned-2', 'back-1']) {
      assert.equal((await getPod(name)).status!.containerStatuses![0].restartCount, 0, `${name} was not restarted`);
    }
  });

  step('issue 19: an agent killed with -9 leaves its routes; restarted, it converges (stale route gone, lost one back, one table); a clean stop leaves none', async () => {
    const agent = c.agents.get('node-2')!;
    const routes = podlingRoutes('node-2');
    const table = masqueradeTable('node-2');
    const proxyRules = () => { try { return ip('netns', 'exec', c.host('node-2').ns, 'nft', 'list', 'table', 'ip', new ProxyTable('node-2', agent.rootDir).name); } catch { return undefined; } };
    assert.ok(proxyRules(), 'the service proxy table is there');
    agent.proc.kill('SIGKILL');
    await agent.proc.exited;
    assert.equal(podlingRoutes('node-2'), routes, 'nothing removes them meanwhile');
    assert.ok(proxyRules(), 'a killed agent leaves its proxy table');
    const ns = c.host('node-2').ns;
    ip('-n', ns, 'route', 'del', routes.split(' ')[0], 'proto', '147');
    ip('-n', ns, 'route', 'add', '10.244.200.0/24', 'via', '10.77.0.9', 'proto', '147');
    const again = await c.startAgent({ name: 'node-2', labels: { 'lab.podling.dev/machine': 'two' } });
    await again.proc.waitForLog((l) => l.msg === 'masquerading pod traffic that leaves the cluster range');
    assert.equal(podlingRoutes('node-2'), routes);
    assert.equal(masqueradeTable('node-2'), table);
    assert.equal(await again.proc.stop(), 0);
    assert.equal(podlingRoutes('node-2'), '', 'no route left');
    assert.equal(masqueradeTable('node-2'), undefined, 'no table left');
    assert.equal(proxyRules(), undefined, 'no proxy table left');
  });
});
