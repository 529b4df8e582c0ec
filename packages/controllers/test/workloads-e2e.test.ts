// Issue 15 acceptance, with the real kubectl and two real agents: a 3-replica Deployment (kubectl apply) spreads over both nodes
// and rolls out; a deleted pod is replaced by a new pod with a new UID; kubectl scale up and down; a rolling update
// keeps availability within maxUnavailable at every watch event; kubectl rollout undo restores
// the previous template; rollout history lists the revisions; describe shows the ReplicaSets and events.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@podling/api';
import type { KubeClient } from '@podling/client';
import { waitFor } from '@podling/testkit';
import type { Kubectl } from '../../../apps/apiserver/test/kubectl-cli.ts';
import { PODS as P, startControllersCluster, type ControllersCluster } from './controllers-cluster.ts';
import type { Deployment } from '../src/workload-types.ts';

let c: ControllersCluster;
let client: KubeClient;
let kubectl: Kubectl;

before(async () => {
  c = await startControllersCluster(['wl-a', 'wl-b']);
  ({ client, kubectl } = c);
});

after(() => c?.stop(() => client.delete({ resource: 'deployments', namespace: 'default' }, 'web')));

/** rollout status, with the ReplicaSets and pods in the error when it fails. */
const rolloutStatus = (timeoutS = 90) => c.rolloutStatus('deployment/web', 'rs,pods', timeoutS);

const webPods = async () => (await client.list<Pod>(P, { labelSelector: 'app=web' })).items;
const running = (pods: Pod[]) => pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running');

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: web:1
        command: [sleep, "3600"]
`;

test('a 3-replica Deployment spreads over both nodes and rolls out', async () => {
  assert.equal(await kubectl.ok(['apply', '-f', kubectl.file('web.yaml', manifest)]), 'deployment.apps/web created\n');
  const out = await rolloutStatus();
  assert.match(out, /deployment "web" successfully rolled out/);
  const pods = running(await webPods());
  assert.equal(pods.length, 3);
  assert.deepEqual([...new Set(pods.map((p) => p.spec.nodeName))].sort(), ['wl-a', 'wl-b']);
  const table = await kubectl.ok(['get', 'deployment', 'web']);
  assert.match(table, /web\s+3\/3\s+3\s+3\s/);
});

test('a deleted pod is replaced by a new pod with a new UID', async () => {
  const [victim] = running(await webPods());
  await kubectl.ok(['delete', 'pod', victim.metadata.name!, '--wait=false']);
  const now = await waitFor(async () => {
    const pods = running(await webPods());
    return pods.length === 3 && pods.every((p) => p.metadata.uid !== victim.metadata.uid) && pods;
  }, { timeoutMs: 30_000, message: '3 running pods without the deleted one' });
  assert.ok(now.every((p) => p.metadata.name !== victim.metadata.name));
});

test('kubectl scale up to 5 and down to 2', async () => {
  assert.equal(await kubectl.ok(['scale', 'deployment/web', '--replicas=5']), 'deployment.apps/web scaled\n');
  await waitFor(async () => running(await webPods()).length === 5, { timeoutMs: 30_000, message: '5 running' });
  await kubectl.ok(['scale', 'deployment/web', '--replicas=2']);
  await waitFor(async () => (await webPods()).length === 2, { timeoutMs: 30_000, message: '2 pods left' });
  await rolloutStatus();
});

test('a new image rolls out with availability ≥ replicas − maxUnavailable at every watch event; rollout undo restores it', async () => {
  await kubectl.ok(['scale', 'deployment/web', '--replicas=4']);
  await rolloutStatus();
  // 4 replicas with 25%/25%: maxUnavailable 1, so at least 3 available throughout.
  let minAvailable = Infinity;
  let events = 0;
  const watch = client.watch<Deployment>({ resource: 'deployments', namespace: 'default' }, { fieldSelector: 'metadata.name=web', resourceVersion: '0' }, (ev) => {
    const d = ev.object as Deployment;
    if (ev.type !== 'MODIFIED' && ev.type !== 'ADDED') return;
    events++;
    minAvailable = Math.min(minAvailable, d.status?.availableReplicas ?? 0);
  });
  try {
    // kubectl replace (a PUT of the whole object): `set image` and `apply` send strategic merge patches, and the
    // server does not yet merge a workload template's containers by name (they lose their command).
    assert.equal(await kubectl.ok(['replace', '-f', kubectl.file('web2.yaml', manifest.replace('replicas: 3', 'replicas: 4').replace('web:1', 'web:2'))]), 'deployment.apps/web replaced\n');
    await rolloutStatus();
    assert.ok(running(await webPods()).every((p) => p.spec.containers[0].image === 'web:2'));
    const history = await kubectl.ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    assert.equal(await kubectl.ok(['rollout', 'undo', 'deployment/web']), 'deployment.apps/web rolled back\n');
    await rolloutStatus();
    await waitFor(async () => {
      const pods = running(await webPods());
      return pods.length === 4 && pods.every((p) => p.spec.containers[0].image === 'web:1');
    }, { timeoutMs: 30_000, message: 'back on web:1' });
  } finally {
    watch.stop();
  }
  assert.ok(events > 3, `only ${events} watch events`);
  assert.ok(minAvailable >= 3, `availability dropped to ${minAvailable}`);
  const d = await client.get<Deployment>({ resource: 'deployments', namespace: 'default' }, 'web');
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
});

test('issue 15: kubectl describe deployment shows its ReplicaSets and the controller\'s events', async () => {
  const out = await kubectl.ok(['describe', 'deployment', 'web']);
  assert.match(out, /^OldReplicaSets:\s+\S/m, out);
  assert.match(out, /^NewReplicaSet:\s+web-[a-z0-9]+ \(4\/4 replicas created\)$/m, out);
  assert.match(out, /^\s+Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled (up|down) replica set web-[a-z0-9]+ /m, out);
});
