// Issue 20 with the real kubectl, an agent and the embedded controllers: kubectl create service / expose, get
// svc,ep,endpointslices, describe svc; pods start with the Service environment variables; a pod being deleted
// leaves the ready endpoints within a second while its process still runs out its grace period.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@podling/testkit';
import { startKubectlCluster, type KubectlCluster } from './kubectl-cli.ts';

let cluster: KubectlCluster;
const kubectl = () => cluster.kubectl;
before(async () => { cluster = await startKubectlCluster({ kubelet: true }); });
after(async () => { await cluster?.stop(); });

// The process ignores SIGTERM, so a deleted pod stays terminating (and running) for its 5 s grace period.
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: busybox
        ports: [{ name: http, containerPort: 8080 }]
        command: ['sh', '-c', 'trap "" TERM; env; while true; do sleep 1; done']
`;

interface Slice { endpoints?: { conditions: { ready: boolean; serving: boolean; terminating: boolean }; targetRef: { name: string } }[] }

async function sliceEndpoints(service: string): Promise<NonNullable<Slice['endpoints']>> {
  const res = await fetch(`${cluster.apiserver.url}/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io/service-name%3D${service}`);
  return ((await res.json()).items as Slice[]).flatMap((s) => s.endpoints ?? []);
}

test('kubectl create service and expose make Services whose endpoints follow the ready pods', async () => {
  assert.equal((await kubectl().ok(['create', 'service', 'clusterip', 'web', '--tcp=80:http'])).trim(), 'service/web created');
  await kubectl().ok(['apply', '-f', kubectl().file('web.yaml', DEPLOYMENT)]);
  await waitFor(async () => (await sliceEndpoints('web')).filter((e) => e.conditions.ready).length === 2, { timeoutMs: 30_000, message: 'two ready endpoints' });
  assert.equal((await kubectl().ok(['expose', 'deployment', 'web', '--name=web2', '--port=80', '--target-port=8080'])).trim(), 'service/web2 exposed');
  await waitFor(async () => (await sliceEndpoints('web2')).length === 2, { timeoutMs: 10_000, message: 'web2 endpoints' });
  const out = await kubectl().ok(['get', 'svc,ep,endpointslices']);
  assert.match(out, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
  assert.match(out, /^service\/web\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s/m);
  assert.match(out, /^endpoints\/web\s+\S+:8080,\S+:8080\s/m);
  assert.match(out, /^endpointslice\.discovery\.k8s\.io\/web-\S+\s+IPv4\s+8080\s/m);
  const described = await kubectl().ok(['describe', 'svc', 'web']);
  assert.match(described, /^TargetPort:\s+http\/TCP$/m);
  assert.match(described, /^Endpoints:\s+\S+:8080,\S+:8080$/m);
});

test('containers start with the Service environment variables of their namespace and of kubernetes', async () => {
  const web = JSON.parse(await kubectl().ok(['get', 'svc', 'web', '-o', 'json']));
  const pod = JSON.parse(await kubectl().ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items[0].metadata.name;
  const logs = await kubectl().ok(['logs', pod]);
  assert.match(logs, new RegExp(`^WEB_SERVICE_HOST=${web.spec.clusterIP.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(logs, /^WEB_SERVICE_PORT=80$/m);
  assert.match(logs, new RegExp(`^WEB_PORT_80_TCP=tcp://${web.spec.clusterIP.replace(/\./g, '\\.')}:80$`, 'm'));
  assert.match(logs, /^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
  assert.match(logs, /^KUBERNETES_SERVICE_PORT_HTTPS=443$/m);
});

test('issue 20: a deleted pod leaves the ready endpoints within one second, listed as serving and terminating', async () => {
  const victim = (await sliceEndpoints('web'))[0].targetRef.name;
  await kubectl().ok(['delete', 'pod', victim, '--wait=false']);
  const deletedAt = Date.now();
  await waitFor(async () => (await sliceEndpoints('web')).some((e) => e.targetRef.name === victim && !e.conditions.ready),
    { timeoutMs: 5000, intervalMs: 20, message: 'victim no longer ready' });
  const elapsed = Date.now() - deletedAt;
  assert.ok(elapsed < 1000, `took ${elapsed} ms`);
  const entry = (await sliceEndpoints('web')).find((e) => e.targetRef.name === victim)!;
  assert.deepEqual(entry.conditions, { ready: false, serving: true, terminating: true });
  const pod = JSON.parse(await kubectl().ok(['get', 'pod', victim, '-o', 'json']));
  assert.ok(pod.metadata.deletionTimestamp && pod.status.phase === 'Running', 'its process still runs out the grace period');
  const ep = JSON.parse(await kubectl().ok(['get', 'endpoints', 'web', '-o', 'json']));
  assert.ok(!JSON.stringify(ep).includes(victim), 'v1 Endpoints drop a terminating pod');
});
