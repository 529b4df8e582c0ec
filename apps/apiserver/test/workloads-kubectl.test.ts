// Issue 15 (API side) with the real kubectl: create deployment|job|cronjob (protobuf bodies), get all, scale, set
// image, and delete --cascade=orphan|foreground as the server records them. Controllers are off, so what is seen
// is the API's own behaviour (no ReplicaSets, finalizers stay for the garbage collector).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKubectlCluster, type KubectlCluster } from './kubectl-cli.ts';

let cluster: KubectlCluster;
const kubectl = () => cluster.kubectl;
before(async () => { cluster = await startKubectlCluster({ apiserverArgs: ['--controllers', 'none'] }); });
after(async () => { await cluster?.stop(); });

const getJson = async (what: string) => JSON.parse(await kubectl().ok(['get', what, '-o', 'json']));
test('kubectl create deployment NAME --image=I --replicas=N -- CMD makes a Deployment', async () => {
  const out = await kubectl().ok(['create', 'deployment', 'web', '--image=busybox:1.36', '--replicas=3', '--', 'sleep', '3600']);
  assert.equal(out.trim(), 'deployment.apps/web created');
  const d = await getJson('deployment/web');
  assert.equal(d.spec.replicas, 3);
  assert.deepEqual(d.spec.selector, { matchLabels: { app: 'web' } });
  assert.deepEqual(d.spec.template.spec.containers[0].command, ['sleep', '3600']);
  assert.equal(d.spec.template.spec.containers[0].image, 'busybox:1.36');
  assert.equal(d.spec.strategy.rollingUpdate.maxSurge, '25%');
  assert.equal(d.metadata.generation, 1);
});

test('kubectl create job and create cronjob work, the Job with its generated selector', async () => {
  assert.equal((await kubectl().ok(['create', 'job', 'pi', '--image=busybox', '--', 'echo', 'hi'])).trim(), 'job.batch/pi created');
  const j = await getJson('job/pi');
  assert.equal(j.spec.template.spec.restartPolicy, 'Never');
  assert.equal(j.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'], j.metadata.uid);
  const out = await kubectl().ok(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/1 * * * *', '--', 'date']);
  assert.equal(out.trim(), 'cronjob.batch/tick created');
  const c = await getJson('cronjob/tick');
  assert.equal(c.spec.schedule, '*/1 * * * *');
  assert.equal(c.spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');
});

test('kubectl get all lists the workloads with their columns', async () => {
  const out = await kubectl().ok(['get', 'all']);
  assert.match(out, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
  assert.match(out, /^deployment\.apps\/web\s+0\/3\s+0\s+0\s+\S+$/m);
  assert.match(out, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/m);
  assert.match(out, /^job\.batch\/pi\s+Running\s+0\/1\s+\S+$/m);
  assert.match(out, /^cronjob\.batch\/tick\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\S+$/m);
  const wide = await kubectl().ok(['get', 'deploy', '-o', 'wide']);
  assert.match(wide, /^web\s+0\/3\s+0\s+0\s+\S+\s+busybox\s+busybox:1\.36\s+app=web$/m);
});

test('kubectl scale and set image change the Deployment through /scale and a strategic merge patch', async () => {
  assert.equal((await kubectl().ok(['scale', 'deploy/web', '--replicas=5'])).trim(), 'deployment.apps/web scaled');
  assert.equal((await getJson('deployment/web')).spec.replicas, 5);
  const r = await kubectl().fails(['scale', 'deploy/web', '--current-replicas=2', '--replicas=1']);
  assert.match(r.stderr, /Expected replicas to be 2, was 5/);
  assert.equal((await kubectl().ok(['set', 'image', 'deploy/web', 'busybox=busybox:1.37'])).trim(), 'deployment.apps/web image updated');
  const d = await getJson('deployment/web');
  assert.equal(d.spec.template.spec.containers[0].image, 'busybox:1.37');
  assert.deepEqual(d.spec.template.spec.containers[0].command, ['sleep', '3600'], 'containers merge by name, as in the Pod');
  assert.equal(d.metadata.generation, 3);
});

test('kubectl delete --cascade=orphan and --cascade=foreground leave the owner with the garbage collector\'s finalizer', async () => {
  for (const [name, cascade, finalizer] of [['o1', 'orphan', 'orphan'], ['f1', 'foreground', 'foregroundDeletion']]) {
    await kubectl().ok(['create', 'deployment', name, '--image=busybox']);
    const out = await kubectl().ok(['delete', 'deployment', name, `--cascade=${cascade}`, '--wait=false']);
    assert.equal(out.trim(), `deployment.apps "${name}" deleted`);
    const d = await getJson(`deployment/${name}`);
    assert.deepEqual(d.metadata.finalizers, [finalizer]);
    assert.ok(d.metadata.deletionTimestamp);
  }
  await kubectl().ok(['create', 'deployment', 'b1', '--image=busybox']);
  assert.equal((await kubectl().ok(['delete', 'deployment', 'b1'])).trim(), 'deployment.apps "b1" deleted');
  const gone = await kubectl().fails(['get', 'deployment', 'b1']);
  assert.match(gone.stderr, /deployments\.apps "b1" not found/);
});

test('issue 15: kubectl explain reads the schemas the server validates with', async () => {
  const out = await kubectl().ok(['explain', 'deployment.spec.replicas']);
  assert.match(out, /GROUP:\s+apps/);
  assert.match(out, /KIND:\s+Deployment/);
  assert.match(out, /FIELD:\s+replicas <integer>/);
  const pod = await kubectl().ok(['explain', 'pod.spec']);
  assert.match(pod, /containers\s+<\[\]Container>/);
});

test('issue 15: kubectl apply of a kind the server does not serve says no matches for kind', async () => {
  const file = kubectl().file('widget.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
  const r = await kubectl().fails(['apply', '-f', file]);
  assert.match(r.stderr, /no matches for kind "Widget" in version "example.com\/v1"/);
});

test('issue 15: kubectl apply creates and configures a Deployment (a removed container goes), and diff sees no change after', async () => {
  const manifest = (containers: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ap}\nspec:\n  replicas: 2\n` +
    `  selector: {matchLabels: {app: ap}}\n  template:\n    metadata: {labels: {app: ap}}\n    spec:\n      containers:\n${containers}`;
  const a = (image: string) => `      - {name: a, image: ${image}, command: [sleep, "1000"], env: [{name: X, value: "1"}]}\n`;
  const b = '      - {name: b, image: busybox, command: [sleep, "1000"]}\n';
  const file = kubectl().file('ap.yaml', manifest(a('busybox') + b));
  assert.equal((await kubectl().ok(['apply', '-f', file])).trim(), 'deployment.apps/ap created');
  kubectl().file('ap.yaml', manifest(a('busybox:2')));
  assert.equal((await kubectl().ok(['apply', '-f', file])).trim(), 'deployment.apps/ap configured');
  const d = await getJson('deployment/ap');
  assert.deepEqual(d.spec.template.spec.containers.map((c: { name: string; image: string }) => `${c.name}=${c.image}`), ['a=busybox:2']);
  assert.deepEqual(d.spec.template.spec.containers[0].command, ['sleep', '1000']);
  assert.equal((await kubectl().run(['diff', '-f', file])).code, 0);
  assert.equal((await kubectl().ok(['apply', '-f', file])).trim(), 'deployment.apps/ap unchanged');
});
