// Issue 18: hollow nodes — `podling-kubelet --hollow-nodes N` runs the agent's node and pod code over a runtime
// that starts no process. A small hollow cluster (20 nodes, 200 pods of a Deployment) runs end to end against a
// real apiserver with its controllers: nodes register Ready with Leases, the scheduler spreads the pods, the hollow
// workers report them Running, and scaling down terminates and deletes them as an agent does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Deployment, KubeObject, Node, Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import { makeTempDir, startApiserver, startHollowNodes, waitFor, type RunningApiserver, type RunningHollowNodes } from '@podling/testkit';
import { HollowRuntime } from '../src/hollow-runtime.ts';

const NODES = 20;
const PODS = 200;
let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
let hollow: RunningHollowNodes;
let client: KubeClient;
const deployments = { resource: 'deployments', namespace: 'default' };
const pods = { resource: 'pods', namespace: 'default' };

before(async () => {
  tmp = makeTempDir();
  srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db') });
  client = new KubeClient({ server: srv.url });
  hollow = await startHollowNodes({ server: srv.url, count: NODES, args: ['--node-status-update-frequency', '1s'] });
});

after(async () => {
  await hollow?.stop();
  await srv?.stop();
  tmp?.remove();
});

const ready = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

test('issue 18: every hollow node registers a Ready Node and renews its Lease', async () => {
  const nodes = await waitFor(async () => {
    const items = (await client.list<Node>({ resource: 'nodes' })).items;
    return items.length === NODES && items.every(ready) && items;
  }, { timeoutMs: 10_000, message: `${NODES} Ready hollow nodes` });
  assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), Array.from({ length: NODES }, (_, i) => `hollow-${i}`).sort());
  assert.equal(nodes[0].metadata.labels?.['podling.io/hollow'], 'true');
  const leases = await waitFor(async () => {
    const items = (await client.list<KubeObject & { spec: { holderIdentity: string } }>({ resource: 'leases', namespace: 'kube-node-lease' })).items;
    return items.length === NODES && items;
  }, { timeoutMs: 10_000, message: 'a Lease per hollow node' });
  assert.ok(leases.every((l) => l.spec.holderIdentity === l.metadata.name));
});

test('issue 18: 200 pods of a Deployment run on the hollow nodes, then scale down and are deleted', async () => {
  await client.create<Deployment>(deployments, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: {
      replicas: PODS, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1', command: ['sleep', 'infinity'] }] } },
    },
  } as Deployment);
  const running = await waitFor(async () => {
    const items = (await client.list<Pod>(pods, { labelSelector: 'app=web' })).items;
    return items.length === PODS && items.every((p) => p.status?.phase === 'Running' && p.status.podIP) && items;
  }, { timeoutMs: 20_000, intervalMs: 200, message: `${PODS} pods Running` });
  const perNode = new Map<string, number>();
  for (const p of running) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
  assert.equal(perNode.size, NODES, 'the scheduler used every node');
  assert.ok(Math.max(...perNode.values()) - Math.min(...perNode.values()) <= 2, `spread evenly: ${JSON.stringify([...perNode])}`);
  assert.equal(new Set(running.map((p) => p.status!.podIP)).size, PODS, 'each pod has its own address');
  const p0 = running[0];
  assert.equal(p0.status?.containerStatuses?.[0].ready, true);
  assert.ok(p0.status?.containerStatuses?.[0].state?.running?.startedAt);
  await waitFor(async () => (await client.get<Deployment>(deployments, 'web')).status?.availableReplicas === PODS,
    { timeoutMs: 10_000, message: 'the Deployment reports every replica available' });

  await client.patch(deployments, 'web', { spec: { replicas: 0 } }, 'merge');
  await waitFor(async () => (await client.list<Pod>(pods, { labelSelector: 'app=web' })).items.length === 0,
    { timeoutMs: 20_000, intervalMs: 200, message: 'the hollow nodes terminated and deleted every pod' });
});

test('issue 18: a hollow container runs for its configured time, and a signal ends it with 128 + the signal', async () => {
  const rt = new HollowRuntime({ startDelayMs: 1, runForMs: 5, exitCode: 3 }, '100.64.0');
  const exited = new Promise<number>((resolve) => void rt.start((code) => resolve(code)));
  assert.equal(await exited, 3);
  const forever = new HollowRuntime({ startDelayMs: 0, runForMs: Infinity, exitCode: 0 }, '100.64.0');
  let code: number | undefined;
  const { pid } = await forever.start((c) => { code = c; });
  assert.equal(forever.signalGroup(pid, 'SIGTERM'), true);
  await waitFor(() => code !== undefined, { timeoutMs: 1000, message: 'the TERM exit is reported' });
  assert.equal(code, 143);
  assert.equal(forever.signalGroup(pid, 'SIGTERM'), false, 'an ended instance is gone');
});
