// Issue 15 acceptance for DaemonSets and StatefulSets, with the real kubectl and real agents (one cluster for the
// file): a DaemonSet runs one pod on each of two nodes, follows a third agent that joins mid-test and rolls out a
// new image (history, undo); a StatefulSet starts x-0, x-1, x-2 in order (a watch shows each created only after
// the previous one was Ready), its pods' hostname is their name, and a deleted x-1 comes back under its name with a
// new UID.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@podling/api';
import type { KubeClient } from '@podling/client';
import { waitFor } from '@podling/testkit';
import type { Kubectl } from '../../../apps/apiserver/test/kubectl-cli.ts';
import { PODS as P, startControllersCluster, type ControllersCluster } from './controllers-cluster.ts';

let c: ControllersCluster;
let client: KubeClient;
let kubectl: Kubectl;

before(async () => {
  c = await startControllersCluster(['sets-a', 'sets-b']);
  ({ client, kubectl } = c);
});

after(() => c?.stop(async () => { for (const r of ['daemonsets/agent', 'statefulsets/x']) await kubectl.run(['delete', r, '--wait=false']); }));

const running = async (selector: string) => (await client.list<Pod>(P, { labelSelector: selector })).items
  .filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running');

const rolloutStatus = (target: string) => c.rolloutStatus(target, 'ds,sts,pods');

const daemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: agent
        image: agent:1
        command: [sleep, "3600"]
`;

test('a DaemonSet runs one pod per node and follows a node that joins', async () => {
  assert.equal(await kubectl.ok(['apply', '-f', kubectl.file('ds.yaml', daemonSet)]), 'daemonset.apps/agent created\n');
  assert.match(await rolloutStatus('ds/agent'), /daemon set "agent" successfully rolled out/);
  assert.deepEqual((await running('app=agent')).map((p) => p.spec.nodeName).sort(), ['sets-a', 'sets-b']);
  await c.addAgent('sets-c');
  await waitFor(async () => (await running('app=agent')).some((p) => p.spec.nodeName === 'sets-c'), { timeoutMs: 30_000, message: 'a daemon pod running on the new node' });
  await rolloutStatus('ds/agent');
  assert.match(await kubectl.ok(['get', 'ds', 'agent']), /agent\s+3\s+3\s+3\s+3\s+3\s/);
  assert.deepEqual((await running('app=agent')).map((p) => p.spec.nodeName).sort(), ['sets-a', 'sets-b', 'sets-c']);
});

test('a DaemonSet rolls out a new image node by node; rollout history lists both revisions and undo restores the first', async () => {
  assert.equal(await kubectl.ok(['set', 'image', 'ds/agent', 'agent=agent:2']), 'daemonset.apps/agent image updated\n');
  await rolloutStatus('ds/agent');
  const images = async () => (await running('app=agent')).map((p) => p.spec.containers[0].image);
  await waitFor(async () => (await images()).join() === 'agent:2,agent:2,agent:2', { timeoutMs: 30_000, message: 'three pods at agent:2' });
  assert.match(await kubectl.ok(['rollout', 'history', 'ds/agent']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  assert.equal(await kubectl.ok(['rollout', 'undo', 'ds/agent']), 'daemonset.apps/agent rolled back\n');
  await rolloutStatus('ds/agent');
  await waitFor(async () => (await images()).join() === 'agent:1,agent:1,agent:1', { timeoutMs: 30_000, message: 'three pods back at agent:1' });
});

const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: x
spec:
  replicas: 3
  serviceName: x
  selector:
    matchLabels: {app: x}
  template:
    metadata:
      labels: {app: x}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: db
        image: db:1
        command: [sleep, "3600"]
`;

const isReady = (p: Pod) => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

test('a StatefulSet starts x-0, x-1, x-2 in order; a deleted x-1 comes back with the same name and a new UID', async () => {
  // For each pod creation, whether the previous ordinal was Ready at that moment, as the watch saw it.
  const ready = new Map<string, boolean>();
  const createdAfterReady: [string, boolean][] = [];
  const rv = (await client.list<Pod>(P)).metadata.resourceVersion;
  const watch = client.watch<Pod>(P, { labelSelector: 'app=x', resourceVersion: rv }, (ev) => {
    const p = ev.object as Pod;
    const name = p.metadata.name!;
    if (ev.type === 'ADDED') createdAfterReady.push([name, name === 'x-0' || ready.get(`x-${Number(name.slice(2)) - 1}`) === true]);
    ready.set(name, ev.type !== 'DELETED' && isReady(p));
  });
  try {
    assert.equal(await kubectl.ok(['apply', '-f', kubectl.file('sts.yaml', statefulSet)]), 'statefulset.apps/x created\n');
    assert.match(await rolloutStatus('sts/x'), /partitioned roll out complete: 3 new pods have been updated/);
  } finally {
    watch.stop();
  }
  assert.deepEqual(createdAfterReady, [['x-0', true], ['x-1', true], ['x-2', true]]);
  assert.match(await kubectl.ok(['get', 'sts', 'x']), /x\s+3\/3\s/);
  const env = await kubectl.ok(['exec', 'x-1', '--', 'sh', '-c', 'echo $HOSTNAME; cat /proc/sys/kernel/hostname']);
  const [hostnameEnv, uts] = env.trim().split('\n');
  assert.equal(hostnameEnv, 'x-1');
  if (process.getuid?.() === 0) assert.equal(uts, 'x-1', 'as root the agent gives each pod its own UTS hostname');
  const before = (await running('app=x')).find((p) => p.metadata.name === 'x-1')!;
  await kubectl.ok(['delete', 'pod', 'x-1', '--wait=false']);
  const after = await waitFor(async () => (await running('app=x')).find((p) => p.metadata.name === 'x-1' && p.metadata.uid !== before.metadata.uid), { timeoutMs: 30_000, message: 'x-1 back with a new UID' });
  assert.equal(after.spec.hostname, 'x-1');
  assert.equal(after.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'x-1');
});
