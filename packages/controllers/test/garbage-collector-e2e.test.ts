// Issue 15 acceptance, with the real kubectl, apiserver and agent: `kubectl delete deployment` cascades (no
// ReplicaSet, no pod, no process left) and `--cascade=orphan` leaves the ReplicaSet, without its ownerReference,
// and its pods running.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { KubeObject, Node, Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import { makeTempDir, pidsMatching, startApiserver, startKubelet, waitFor, type RunningApiserver, type RunningKubelet } from '@podling/testkit';
import { makeKubectl, requireKubectl, type Kubectl } from '../../../apps/apiserver/test/kubectl-cli.ts';

let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
let agent: RunningKubelet;
let client: KubeClient;
let kubectl: Kubectl;
const P = { resource: 'pods', namespace: 'default' };
const RS = { resource: 'replicasets', namespace: 'default' };

before(async () => {
  requireKubectl();
  tmp = makeTempDir();
  srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db') });
  client = new KubeClient({ server: srv.url });
  agent = await startKubelet({ server: srv.url, nodeName: 'gc-a', rootDir: path.join(tmp.dir, 'gc-a'), args: ['--node-status-update-frequency', '1s'] });
  await waitFor(async () => (await client.list<Node>({ resource: 'nodes' })).items
    .some((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')), { timeoutMs: 20_000, message: 'a Ready node' });
  mkdirSync(path.join(tmp.dir, 'home'));
  kubectl = makeKubectl(srv.url, path.join(tmp.dir, 'home'));
});

after(async () => {
  for (const name of ['gc-x', 'gc-y', 'gc-z']) await client?.delete({ resource: 'deployments', namespace: 'default' }, name).catch(() => undefined);
  const rss = await client?.list<KubeObject>(RS).catch(() => undefined);
  for (const rs of rss?.items ?? []) await client.delete(RS, rs.metadata.name!).catch(() => undefined);
  await waitFor(async () => (await client.list<Pod>(P)).items.length === 0, { timeoutMs: 20_000, message: 'pods gone' }).catch(() => undefined);
  await agent?.stop();
  await srv?.stop();
  tmp?.remove();
});

/** A deployment whose containers run `sleep <seconds>`: the odd duration marks its processes. */
const manifest = (name: string, seconds: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 2
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busy:1
        command: [sleep, "${seconds}"]
`;

/** The pids of a deployment's containers (and their wrappers), found by the sleep duration in their argv. */
const processes = (seconds: number) => pidsMatching(`sleep\0${seconds}`);

async function runDeployment(name: string, seconds: number): Promise<number[]> {
  await kubectl.ok(['apply', '-f', kubectl.file(`${name}.yaml`, manifest(name, seconds))]);
  await kubectl.ok(['rollout', 'status', `deployment/${name}`, '--timeout=60s'], { timeoutMs: 70_000 });
  return waitFor(() => processes(seconds).length >= 2 && processes(seconds), { timeoutMs: 10_000, message: `${name}'s processes` });
}

const podsOf = async (app: string) => (await client.list<Pod>(P, { labelSelector: `app=${app}` })).items;
const rsOf = async (app: string) => (await client.list<KubeObject>(RS, { labelSelector: `app=${app}` })).items;

test('kubectl delete deployment leaves no ReplicaSet, no pod and no process', async () => {
  await runDeployment('gc-x', 3601);
  assert.equal((await rsOf('gc-x')).length, 1);
  assert.equal(await kubectl.ok(['delete', 'deployment', 'gc-x']), 'deployment.apps "gc-x" deleted\n');
  await waitFor(async () => (await rsOf('gc-x')).length === 0 && (await podsOf('gc-x')).length === 0,
    { timeoutMs: 30_000, message: 'ReplicaSet and pods of gc-x gone' });
  await waitFor(() => processes(3601).length === 0, { timeoutMs: 10_000, message: 'no process of gc-x left' });
});

test('kubectl delete deployment --cascade=orphan leaves the ReplicaSet without ownerReferences and its pods', async () => {
  const pids = await runDeployment('gc-y', 3602);
  const [before] = await rsOf('gc-y');
  const podsBefore = await podsOf('gc-y');
  assert.equal(await kubectl.ok(['delete', 'deployment', 'gc-y', '--cascade=orphan']), 'deployment.apps "gc-y" deleted\n');
  await waitFor(async () => (await client.list<KubeObject>({ resource: 'deployments', namespace: 'default' })).items.length === 0,
    { timeoutMs: 20_000, message: 'deployment gc-y gone' });
  const [rs] = await rsOf('gc-y');
  assert.equal(rs.metadata.uid, before.metadata.uid);
  assert.equal(rs.metadata.ownerReferences, undefined);
  const pods = await podsOf('gc-y');
  assert.deepEqual(pods.map((p) => p.metadata.uid).sort(), podsBefore.map((p) => p.metadata.uid).sort());
  for (const p of pods) assert.equal(p.metadata.ownerReferences?.[0].uid, rs.metadata.uid, 'pods stay with their ReplicaSet');
  assert.deepEqual(processes(3602).sort(), pids.sort(), 'the same processes still run');
});

test('kubectl delete deployment --cascade=foreground returns once the ReplicaSet, the pods and the Deployment are gone', async () => {
  await runDeployment('gc-z', 3603);
  assert.equal(await kubectl.ok(['delete', 'deployment', 'gc-z', '--cascade=foreground'], { timeoutMs: 40_000 }), 'deployment.apps "gc-z" deleted\n');
  await assert.rejects(client.get({ resource: 'deployments', namespace: 'default' }, 'gc-z'), /not found/);
  assert.equal((await rsOf('gc-z')).length, 0);
  assert.equal((await podsOf('gc-z')).length, 0);
  await waitFor(() => processes(3603).length === 0, { timeoutMs: 10_000, message: 'no process of gc-z left' });
});
