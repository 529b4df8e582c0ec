// Issue 20's node proxy, as steps of the multi-host story (multihost.test.ts registers them on its one cluster): a
// 3-replica Deployment behind a NodePort Service spread over both node machines; its ClusterIP answers from node-1
// itself and from a pod on node-2, every replica reached; a deleted pod leaves every node's rules within a second of
// its endpoint change and gets no new connection while it still runs; the NodePort answers an off-cluster machine on
// node-1's address; an unheld service address is refused on the node; deleting the Service removes its rules.
//
// Traffic stays in the lab: before anything is sent to a ClusterIP the rules that translate it are read back, and the
// nodes' only way off-link is a default route to the apiserver's machine, which forwards nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { isStatusError, type EndpointSlice, type Pod, type Service } from '@podling/api';
import { ProxyTable } from '@podling/kubelet';
import { waitFor } from '@podling/testkit';
import type { LabCluster } from './lab-cluster.ts';
import { ip } from './netns-lab.ts';
import { podProcesses } from './pod-processes.ts';

const run = promisify(execFile);
const pods = { resource: 'pods', namespace: 'default' };
const services = { resource: 'services', namespace: 'default' };
const deployments = { resource: 'deployments', namespace: 'default' };

/** Answers every request with its pod's name; ignores SIGTERM, so a deleted replica runs out its grace period. */
const SERVER = "process.on('SIGTERM', () => {}); require('http').createServer((q, s) => s.end(process.env.POD_NAME)).listen(8080)";
/** argv: host port count — that many requests, each on a new connection; prints {answers: {name: n}, errors: [...]}. */
const CLIENT = `const http = require('http'); const [host, port, count] = process.argv.slice(1); const answers = {}; const errors = [];
(function go(i) {
  if (i >= Number(count)) return console.log(JSON.stringify({ answers, errors }));
  const req = http.get({ host, port, agent: false, timeout: 3000 }, (res) => { let b = ''; res.on('data', (d) => { b += d; }); res.on('end', () => { answers[b] = (answers[b] ?? 0) + 1; go(i + 1); }); });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => { errors.push(e.code ?? e.message); go(i + 1); });
})(0);`;

interface Tally { answers: Record<string, number>; errors: string[] }

export function serviceProxySteps(cluster: () => LabCluster, step: (name: string, fn: () => Promise<void>) => void): void {
  const c = () => cluster();
  const table = (node: string) => new ProxyTable(node, c().agents.get(node)!.rootDir).name;
  const rules = (node: string) => {
    try { return ip('netns', 'exec', c().host(node).ns, 'nft', 'list', 'table', 'ip', table(node)); } catch { return ''; }
  };
  const fromMachine = async (role: string, host: string, port: number, count: number): Promise<Tally> =>
    JSON.parse((await run('ip', ['netns', 'exec', c().host(role).ns, process.execPath, '-e', CLIENT, host, String(port), String(count)], { timeout: 60_000 })).stdout);
  const slices = async () => (await c().client.list<EndpointSlice>({ resource: 'endpointslices', namespace: 'default' }, { labelSelector: 'kubernetes.io/service-name=web' })).items;
  const readyEndpoints = async () => (await slices()).flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready);
  const webPods = async () => (await c().client.list<Pod>(pods, { labelSelector: 'app=web' })).items;
  let vip = '';
  let nodePort = 0;

  step('issue 20: a 3-replica Deployment behind a Service answers on its ClusterIP from node-1 itself and from a pod on node-2, every replica reached', async () => {
    await c().client.create(deployments, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 3, selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: 30,
            containers: [{
              name: 'web', image: 'node', command: [process.execPath, '-e', SERVER], ports: [{ name: 'http', containerPort: 8080 }],
              env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              resources: { requests: { cpu: '100m' } }, // the scheduler's least-allocated score spreads them
              readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
            }],
          },
        },
      },
    });
    const svc = await c().client.create<Service>(services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    vip = svc.spec.clusterIP!;
    nodePort = svc.spec.ports![0].nodePort!;
    const ready = await waitFor(async () => { const e = await readyEndpoints(); return e.length === 3 && e; }, { timeoutMs: 60_000, message: 'three ready endpoints' });
    assert.deepEqual([...new Set(ready.map((e) => e.nodeName))].sort(), ['node-1', 'node-2'], 'the replicas run on both nodes');
    const names = (await webPods()).map((p) => p.metadata.name!).sort();
    for (const node of ['node-1', 'node-2']) {
      await waitFor(() => ready.every((e) => rules(node).includes(`dnat to ${e.addresses[0]}:8080`)) && rules(node).includes(`${vip} . tcp . 80 : goto service-default/web/tcp/http`),
        { timeoutMs: 10_000, message: `${node}'s rules translate ${vip}:80 to the three endpoints` });
      assert.match(rules(node), /numgen random mod 3 vmap/);
    }
    // A machine's default route (kube-proxy relies on one for the host's own traffic); the apiserver's machine forwards nothing.
    ip('-n', c().host('node-1').ns, 'route', 'replace', 'default', 'via', c().apiIP);
    const fromHost = await fromMachine('node-1', vip, 80, 60);
    assert.deepEqual(fromHost.errors, []);
    assert.deepEqual(Object.keys(fromHost.answers).sort(), names, 'node-1 reached every replica');

    await c().client.create<Pod>(pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client-2', namespace: 'default' },
      spec: { nodeName: 'node-2', restartPolicy: 'Never', containers: [{ name: 'client', image: 'node', command: [process.execPath, '-e', CLIENT, vip, '80', '60'] }] },
    });
    const done = await waitFor(async () => { const p = await c().client.get<Pod>(pods, 'client-2'); return ['Succeeded', 'Failed'].includes(p.status?.phase ?? '') && p; },
      { timeoutMs: 30_000, message: 'client-2 finished' });
    const fromPod: Tally = JSON.parse(await (await c().client.request('GET', '/api/v1/namespaces/default/pods/client-2/log')).text());
    assert.equal(done.status!.phase, 'Succeeded');
    assert.deepEqual(fromPod.errors, []);
    assert.deepEqual(Object.keys(fromPod.answers).sort(), names, 'a pod on node-2 reached every replica');
  });

  step('issue 20: a deleted pod leaves every node\'s rules within a second of its endpoint change, and no new connection reaches it while it runs', async () => {
    const victim = (await webPods()).find((p) => p.spec.nodeName === 'node-2')!;
    const victimIP = victim.status!.podIP!;
    await c().client.delete(pods, victim.metadata.name!);
    const deletedAt = Date.now();
    await waitFor(async () => (await readyEndpoints()).every((e) => e.addresses[0] !== victimIP), { timeoutMs: 5000, intervalMs: 20, message: 'victim not ready' });
    const unready = Date.now();
    await waitFor(() => ['node-1', 'node-2'].every((n) => !rules(n).includes(`dnat to ${victimIP}:`)), { timeoutMs: 5000, intervalMs: 20, message: 'victim gone from the rules' });
    const ruled = Date.now();
    assert.ok(unready - deletedAt < 1000, `ready endpoints dropped it after ${unready - deletedAt} ms`);
    assert.ok(ruled - unready < 1000, `every node's rules dropped it ${ruled - unready} ms after its endpoint change`);
    const tally = await fromMachine('node-1', vip, 80, 30);
    assert.deepEqual(tally.errors, []);
    assert.ok(!(victim.metadata.name! in tally.answers), `no new connection reached ${victim.metadata.name}: ${JSON.stringify(tally.answers)}`);
    const still = await c().client.get<Pod>(pods, victim.metadata.name!);
    assert.ok(still.metadata.deletionTimestamp && podProcesses(c().agents.get('node-2')!.rootDir, victim.metadata.uid!).length > 0, 'its process still runs');
  });

  step('issue 20: the NodePort answers an off-cluster machine on node-1\'s address; a service address no Service holds is refused on the node', async () => {
    assert.match(rules('node-1'), new RegExp(`tcp \\. ${nodePort} : goto external-default/web/tcp/http`));
    assert.match(rules('node-1'), /elements = \{ 10\.77\.0\.2 \}/, 'NodePorts on node-1\'s address');
    const tally = await fromMachine('ops', '10.77.0.2', nodePort, 10);
    assert.deepEqual(tally.errors, []);
    assert.equal(Object.values(tally.answers).reduce((a, b) => a + b, 0), 10);
    const held = new Set((await c().client.list<Service>({ resource: 'services' })).items.map((s) => s.spec.clusterIP));
    const unheld = ['10.111.255.254', '10.111.255.253'].find((a) => !held.has(a))!;
    assert.match(rules('node-1'), /ip daddr 10\.96\.0\.0\/12 reject/);
    assert.deepEqual(await fromMachine('node-1', unheld, 80, 1), { answers: {}, errors: ['ECONNREFUSED'] });
  });

  step('issue 20: deleting the Service removes its rules on every node (read from the rules; nothing is sent)', async () => {
    await c().client.delete(services, 'web');
    for (const node of ['node-1', 'node-2']) {
      await waitFor(() => !rules(node).includes('default/web/') && !rules(node).includes(`${vip} . tcp`), { timeoutMs: 5000, intervalMs: 50, message: `${node} has no rule for web` });
    }
    await c().client.delete(deployments, 'web');
    for (const p of await webPods()) await c().client.delete(pods, p.metadata.name!, { gracePeriodSeconds: 0 }).catch((e) => { if (!isStatusError(e) || e.code !== 404) throw e; });
    await c().client.delete(pods, 'client-2');
    await waitFor(async () => (await webPods()).length === 0, { timeoutMs: 30_000, message: 'web pods gone' });
  });
}
