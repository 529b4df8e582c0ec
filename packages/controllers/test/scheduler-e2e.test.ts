// Issue 5: the scheduler against a real apiserver and real agents. Pods spread over two agents, a nodeSelector
// picks the labelled node, and an oversized pod waits with Kubernetes' message until a big enough node joins.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { KubeEvent, Node, Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import { makeTempDir, startApiserver, startKubelet, waitFor, type RunningApiserver, type RunningKubelet } from '@podling/testkit';

let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
let client: KubeClient;
const agents: RunningKubelet[] = [];
const pods = { resource: 'pods', namespace: 'default' };

before(async () => {
  tmp = makeTempDir();
  srv = await startApiserver({
    dbPath: path.join(tmp.dir, 'podling.db'),
    args: ['--controllers', 'scheduler,nodelifecycle,podgc', '--node-monitor-grace-period', '10s',
      '--node-monitor-period', '500ms', '--pod-eviction-timeout', '3s', '--pod-gc-period', '1s'],
  });
  client = new KubeClient({ server: srv.url });
  for (const [name, labels] of [['sched-a', 'disk=ssd'], ['sched-b', '']]) {
    agents.push(await startKubelet({
      server: srv.url, nodeName: name, rootDir: path.join(tmp.dir, name),
      args: ['--node-status-update-frequency', '1s', ...(labels ? ['--node-labels', labels] : [])],
    }));
  }
  await waitFor(async () => {
    const nodes = (await client.list<Node>({ resource: 'nodes' })).items;
    return nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2;
  }, { timeoutMs: 20_000, message: 'both agents registered Ready nodes' });
  // The API saying Ready is not the scheduler's informer having seen it: a pod pinned to each node binds only once
  // the scheduler's own cache holds that node Ready (otherwise the spread test could race the node watch).
  for (const node of ['sched-a', 'sched-b']) {
    await client.create(pods, pod(`probe-${node}`, { nodeSelector: { 'kubernetes.io/hostname': node } }));
  }
  await waitFor(async () => (await Promise.all(['sched-a', 'sched-b'].map((n) => getPod(`probe-${n}`)))).every((p) => p.spec.nodeName),
    { timeoutMs: 15_000, message: 'the scheduler bound a pod to each node' });
  for (const node of ['sched-a', 'sched-b']) await client.delete(pods, `probe-${node}`, { gracePeriodSeconds: 0 });
  await waitFor(async () => (await client.list<Pod>(pods)).items.length === 0, { message: 'probe pods gone' });
});

after(async () => {
  for (const a of agents.reverse()) await a.stop();
  await srv?.stop();
  tmp?.remove();
});

function pod(name: string, spec: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 1, ...spec },
  };
}

const getPod = (name: string) => client.get<Pod>(pods, name);

async function eventsFor(name: string): Promise<KubeEvent[]> {
  const list = await client.list<KubeEvent>({ resource: 'events', namespace: 'default' });
  return list.items.filter((e) => e.involvedObject.name === name);
}

test('pods without a node are spread over both agents, each with a Scheduled event', async () => {
  const names = ['spread-1', 'spread-2', 'spread-3', 'spread-4'];
  for (const n of names) await client.create(pods, pod(n));
  const placed = await waitFor(async () => {
    const ps = await Promise.all(names.map(getPod));
    return ps.every((p) => p.spec.nodeName) && ps;
  }, { timeoutMs: 15_000, message: 'all spread pods bound' });
  const perNode = new Map<string, number>();
  for (const p of placed) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(perNode), { 'sched-a': 2, 'sched-b': 2 });
  for (const p of placed) {
    assert.equal(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
    const ev = await waitFor(async () => (await eventsFor(p.metadata.name!)).find((e) => e.reason === 'Scheduled'));
    assert.equal(ev.message, `Successfully assigned default/${p.metadata.name} to ${p.spec.nodeName}`);
    assert.deepEqual([ev.type, ev.source?.component, ev.involvedObject.kind, ev.involvedObject.uid], ['Normal', 'default-scheduler', 'Pod', p.metadata.uid]);
  }
  await waitFor(async () => (await Promise.all(names.map(getPod))).every((p) => p.status?.phase === 'Running'),
    { timeoutMs: 15_000, message: 'spread pods running on their agents' });
  for (const n of names) await client.delete(pods, n, { gracePeriodSeconds: 0 });
});

test('a pod with a nodeSelector lands on the node with that label', async () => {
  await client.create(pods, pod('ssd-only', { nodeSelector: { disk: 'ssd' } }));
  const p = await waitFor(async () => { const x = await getPod('ssd-only'); return x.spec.nodeName ? x : undefined; }, { message: 'ssd-only bound' });
  assert.equal(p.spec.nodeName, 'sched-a');
  await client.delete(pods, 'ssd-only', { gracePeriodSeconds: 0 });
});

test('a pod that fits nowhere stays Pending with the scheduler\'s message, then binds when a big node joins', async () => {
  await client.create(pods, pod('huge', { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '1000', memory: '1Mi' } } }] }));
  const message = '0/2 nodes are available: 2 Insufficient cpu.';
  const cond = await waitFor(async () => (await getPod('huge')).status?.conditions?.find((c) => c.type === 'PodScheduled'),
    { message: 'PodScheduled condition on huge' });
  assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'Unschedulable', message]);
  assert.equal((await getPod('huge')).status?.phase, 'Pending');
  const warning = await waitFor(async () => (await eventsFor('huge')).find((e) => e.reason === 'FailedScheduling'));
  assert.deepEqual([warning.type, warning.message], ['Warning', message]);

  // Agents report the machine's real capacity, so the big node is a Node object with a fresh heartbeat.
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await client.create<Node>({ resource: 'nodes' }, {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'big', labels: { 'kubernetes.io/hostname': 'big' } },
    status: {
      capacity: { cpu: '2000', memory: '4Ti', pods: '110' }, allocatable: { cpu: '2000', memory: '4Ti', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }],
    },
  });
  const bound = await waitFor(async () => { const x = await getPod('huge'); return x.spec.nodeName ? x : undefined; },
    { timeoutMs: 10_000, message: 'huge bound once the big node exists' });
  assert.equal(bound.spec.nodeName, 'big');
  assert.equal(bound.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');

  // No agent will ever run it: deleting the node lets pod GC remove the pod (after its quarantine).
  await client.delete({ resource: 'nodes' }, 'big');
  await waitFor(async () => (await client.list<Pod>(pods)).items.every((x) => x.metadata.name !== 'huge'),
    { timeoutMs: 15_000, message: 'pod GC removed the pod of the deleted node' });
});
