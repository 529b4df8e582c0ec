// Issue 5: node failure handling with a real apiserver and real agents, on short flags (grace 3s, eviction 3s,
// heartbeat 1s). A frozen agent (SIGSTOP) makes its node Unknown and tainted, its pods not Ready and, after the
// eviction timeout, Terminating — where they stay until the agent returns (it completes the deletions and leaves
// no processes behind) or the Node object is deleted (pod GC removes them).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { KubeEvent, Node, Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import { makeTempDir, startApiserver, startKubelet, waitFor, type RunningApiserver, type RunningKubelet } from '@podling/testkit';

let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
let client: KubeClient;
const agents = new Map<string, RunningKubelet>();
const pods = { resource: 'pods', namespace: 'default' };
const marker = `podling-nlc-${randomUUID()}`;

before(async () => {
  tmp = makeTempDir();
  srv = await startApiserver({
    dbPath: path.join(tmp.dir, 'podling.db'),
    args: ['--controllers', 'scheduler,nodelifecycle,podgc', '--node-monitor-grace-period', '3s',
      '--node-monitor-period', '500ms', '--pod-eviction-timeout', '3s', '--pod-gc-period', '1s'],
  });
  client = new KubeClient({ server: srv.url });
  for (const name of ['nlc-return', 'nlc-gone']) {
    agents.set(name, await startKubelet({
      server: srv.url, nodeName: name, rootDir: path.join(tmp.dir, name),
      args: ['--node-status-update-frequency', '1s', '--node-labels', `agent=${name}`],
    }));
  }
  await waitFor(async () => (await Promise.all([...agents.keys()].map(nodeReady))).every((s) => s === 'True'),
    { timeoutMs: 20_000, message: 'both agents Ready' });
});

after(async () => {
  for (const a of agents.values()) a.process.kill('SIGCONT');
  for (const a of [...agents.values()].reverse()) await a.stop();
  await srv?.stop();
  tmp?.remove();
});

const getNode = (name: string) => client.get<Node>({ resource: 'nodes' }, name);
async function nodeReady(name: string): Promise<string | undefined> {
  try { return (await getNode(name)).status?.conditions?.find((c) => c.type === 'Ready')?.status; } catch { return undefined; }
}
const listPods = async (node: string) => (await client.list<Pod>(pods)).items.filter((p) => p.spec.nodeName === node);

/** Container processes of this test file, found by the marker in their command line. */
function markerProcesses(tag: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try { if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${marker}-${tag}`)) found.push(Number(pid)); } catch { /* exited */ }
  }
  return found;
}

async function runPodsOn(node: string, names: string[]): Promise<void> {
  for (const name of names) {
    await client.create<Pod>(pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: {
        nodeSelector: { agent: node }, terminationGracePeriodSeconds: 2,
        containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', `sleep 3600; : ${marker}-${node}`] }],
      },
    });
  }
  await waitFor(async () => (await listPods(node)).filter((p) => p.status?.phase === 'Running').length === names.length,
    { timeoutMs: 20_000, message: `${names.join(', ')} running on ${node}` });
}

/** Freezes the agent and waits for the whole failure sequence up to Terminating pods. */
async function freezeAndWaitForEviction(node: string, names: string[]): Promise<void> {
  agents.get(node)!.process.kill('SIGSTOP');
  const n = await waitFor(async () => { const x = await getNode(node); return x.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' && x; },
    { timeoutMs: 15_000, message: `${node} Ready=Unknown` });
  const ready = n.status!.conditions!.find((c) => c.type === 'Ready')!;
  assert.deepEqual([ready.reason, ready.message], ['NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  const taints = await waitFor(async () => { const t = (await getNode(node)).spec?.taints ?? []; return t.length >= 2 && t; });
  assert.deepEqual(taints.map((t) => `${t.key}:${t.effect}`).sort(),
    ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  assert.ok(taints.every((t) => t.timeAdded), 'taints carry timeAdded');
  await waitFor(async () => (await listPods(node)).every((p) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False'),
    { timeoutMs: 10_000, message: `pods on ${node} marked Ready=False` });
  const terminating = await waitFor(async () => { const ps = await listPods(node); return ps.length === names.length && ps.every((p) => p.metadata.deletionTimestamp) && ps; },
    { timeoutMs: 15_000, message: `pods on ${node} Terminating after the eviction timeout` });
  assert.ok(terminating.every((p) => p.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.reason === 'DeletionByTaintManager')));
  // Events are recorded asynchronously (best effort), so they may land just after the pod shows Terminating.
  for (const name of names) {
    await waitFor(async () => (await client.list<KubeEvent>({ resource: 'events', namespace: 'default' })).items
      .some((e) => e.reason === 'TaintManagerEviction' && e.message === `Marking for deletion Pod default/${name}`),
    { timeoutMs: 10_000, message: `eviction event for ${name}` });
  }
}

test('both agents frozen: the zone is in full disruption, so nodes get NoSchedule taints only and no pod is evicted', async () => {
  const nodes = [...agents.keys()];
  await runPodsOn(nodes[0], ['calm-1']);
  for (const n of nodes) agents.get(n)!.process.kill('SIGSTOP');
  try {
    // The node that goes silent first is tainted NoExecute until the other one is silent too (as in Kubernetes);
    // then the zone is fully disrupted and both keep only the NoSchedule taint.
    await waitFor(async () => {
      const all = await Promise.all(nodes.map(async (n) => (await getNode(n)).spec?.taints ?? []));
      return all.every((t) => t.length === 1 && `${t[0].key}:${t[0].effect}` === 'node.kubernetes.io/unreachable:NoSchedule');
    }, { timeoutMs: 15_000, message: 'both nodes tainted unreachable:NoSchedule only' });
    assert.equal((await listPods(nodes[0]))[0].metadata.deletionTimestamp, undefined, 'calm-1 not evicted');
  } finally {
    for (const n of nodes) agents.get(n)!.process.kill('SIGCONT');
  }
  await waitFor(async () => (await Promise.all(nodes.map(async (n) => (await getNode(n)).spec?.taints ?? []))).every((t) => t.length === 0),
    { timeoutMs: 15_000, message: 'taints removed once the agents are back' });
  await client.delete(pods, 'calm-1');
  await waitFor(async () => (await listPods(nodes[0])).length === 0, { timeoutMs: 15_000, message: 'calm-1 deleted' });
});

test('a frozen agent\'s pods are evicted but stay Terminating; when it returns it finishes them and leaves no processes', async () => {
  const node = 'nlc-return';
  await runPodsOn(node, ['ret-1', 'ret-2']);
  assert.equal(markerProcesses(node).length > 0, true, 'container processes are running');
  await freezeAndWaitForEviction(node, ['ret-1', 'ret-2']);
  // Nobody but the agent finishes a graceful deletion: the pods are still there.
  assert.equal((await listPods(node)).length, 2);

  agents.get(node)!.process.kill('SIGCONT');
  await waitFor(async () => (await nodeReady(node)) === 'True', { timeoutMs: 15_000, message: `${node} Ready again` });
  await waitFor(async () => ((await getNode(node)).spec?.taints ?? []).length === 0, { timeoutMs: 10_000, message: 'unreachable taints removed' });
  await waitFor(async () => (await listPods(node)).length === 0, { timeoutMs: 20_000, message: 'the returned agent completed the deletions' });
  await waitFor(() => markerProcesses(node).length === 0, { timeoutMs: 10_000, message: 'no container processes left behind' });
});

test('deleting the Node object of a frozen agent lets pod GC remove its pods', async () => {
  const node = 'nlc-gone';
  await runPodsOn(node, ['gone-1', 'gone-2']);
  await freezeAndWaitForEviction(node, ['gone-1', 'gone-2']);
  await client.delete({ resource: 'nodes' }, node);
  await waitFor(async () => (await client.list<Pod>(pods)).items.every((p) => !p.metadata.name!.startsWith('gone-')),
    { timeoutMs: 15_000, message: 'pod GC force-deleted the pods of the deleted node' });
  // Let the agent go and stop it; its processes are its own business once it is stopped.
  agents.get(node)!.process.kill('SIGCONT');
});
