// Issue 15 acceptance: "a stopped node's deployment pods come back on the other node". The real kubectl, two real
// agents and the embedded controllers, with the node-monitor timings shortened through their flags (grace 3 s,
// period 500 ms, eviction 2 s; heartbeats every 1 s): a 4-replica Deployment runs, the agent of a node that holds
// some of its pods is killed (SIGKILL, as a crashed machine), its node goes Unknown, its pods are evicted
// (Terminating, since nobody is left to confirm) and the ReplicaSet replaces them with new pods that run on the
// surviving node. The pods usually spread over both nodes, but with a 3 s grace a loaded machine can make a node
// miss its heartbeats long enough to be tainted while they are scheduled, so the test kills whichever node holds
// the first pod rather than assuming a spread.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '@podling/api';
import type { KubeClient } from '@podling/client';
import { waitFor } from '@podling/testkit';
import type { Kubectl } from '../../../apps/apiserver/test/kubectl-cli.ts';
import { PODS as P, startControllersCluster, type ControllersCluster } from './controllers-cluster.ts';

let c: ControllersCluster;
let client: KubeClient;
let kubectl: Kubectl;
let casualty: string | undefined;

before(async () => {
  c = await startControllersCluster(['node-a', 'node-b'],
    ['--node-monitor-grace-period', '3s', '--node-monitor-period', '500ms', '--pod-eviction-timeout', '2s', '--pod-gc-period', '1s']);
  ({ client, kubectl } = c);
});

// The dead node's pods stay Terminating until its Node object goes: then pod GC removes them. The agents' stop()
// also kills the containers the killed agent left running.
after(() => c?.stop(async () => {
  await client.delete({ resource: 'deployments', namespace: 'default' }, 'keep').catch(() => undefined);
  if (casualty) await client.delete({ resource: 'nodes' }, casualty);
}));

const livePods = async () => (await client.list<Pod>(P, { labelSelector: 'app=keep' })).items.filter((p) => !p.metadata.deletionTimestamp);

test('issue 15: a killed agent\'s Deployment pods are evicted and come back Running on the other node', async () => {
  assert.equal(await kubectl.ok(['create', 'deployment', 'keep', '--image=busybox', '--replicas=4', '--', 'sleep', '3600']), 'deployment.apps/keep created\n');
  await c.rolloutStatus('deployment/keep', 'rs,pods');
  const before = await livePods();
  assert.equal(before.length, 4);
  casualty = before[0].spec.nodeName!;
  const survivor = casualty === 'node-a' ? 'node-b' : 'node-a';
  const lost = before.filter((p) => p.spec.nodeName === casualty);
  assert.ok(before.every((p) => p.spec.nodeName === casualty || p.spec.nodeName === survivor), 'every pod is bound');

  c.agents.find((a) => a.nodeName === casualty)!.process.kill('SIGKILL');
  await waitFor(async () => (await client.get<Node>({ resource: 'nodes' }, casualty!)).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown',
    { timeoutMs: 15_000, message: `${casualty} Ready=Unknown` });
  const evicted = await waitFor(async () => {
    const pods = (await client.list<Pod>(P)).items.filter((p) => lost.some((l) => l.metadata.uid === p.metadata.uid));
    return pods.every((p) => p.metadata.deletionTimestamp) && pods;
  }, { timeoutMs: 15_000, message: 'the lost pods evicted' });
  assert.ok(evicted.every((p) => p.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.reason === 'DeletionByTaintManager')));

  await c.rolloutStatus('deployment/keep', 'rs,pods');
  const now = await waitFor(async () => {
    const pods = await livePods();
    return pods.length === 4 && pods.every((p) => p.status?.phase === 'Running') && pods;
  }, { timeoutMs: 30_000, message: '4 Running pods again' });
  assert.deepEqual([...new Set(now.map((p) => p.spec.nodeName))], [survivor]);
  const uids = new Set(now.map((p) => p.metadata.uid));
  assert.ok(lost.every((p) => !uids.has(p.metadata.uid)), 'the replacements are new pods');
  assert.match(await kubectl.ok(['get', 'deployment', 'keep']), /keep\s+4\/4\s+4\s+4\s/);
});
