// Issue 20: the Endpoints and EndpointSlice controllers against an in-memory apiserver — ready pods are endpoints,
// a terminating pod is at once not ready (serving/terminating as Kubernetes sets them) and leaves Endpoints, named
// targetPorts resolve per pod, slices carry the managed-by labels and an owner, a Service without a selector is left
// alone, and a deleted Service takes its Endpoints and slices along.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { EndpointSlice, Endpoints, Pod, Service } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { EndpointsController } from '../src/endpoints-controller.ts';
import { EndpointSliceController } from '../src/endpointslice-controller.ts';
import { SharedInformers } from '../src/shared-informers.ts';
import { FakeCluster } from './fake-cluster.ts';

const log = pino({ level: 'silent' });
const cluster = new FakeCluster();
let stop: () => Promise<void>;
before(async () => {
  const informers = new SharedInformers(cluster, log);
  const cs = [new EndpointsController({ client: cluster, logger: log, informers }), new EndpointSliceController({ client: cluster, logger: log, informers })];
  await Promise.all(cs.map((c) => c.start()));
  stop = async () => { await Promise.all(cs.map((c) => c.stop())); };
});
after(() => stop());

const NS = 'default';
const PODS = { resource: 'pods', namespace: NS };
const SVCS = { resource: 'services', namespace: NS };

async function runningPod(name: string, ip: string, ready: boolean, labels = { app: 'web' }, port = 8080): Promise<Pod> {
  const p = await cluster.create<Pod>(PODS, {
    metadata: { name, namespace: NS, labels, finalizers: ['test/hold'] },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i', ports: [{ name: 'http', containerPort: port }] }] },
  } as unknown as Pod);
  return cluster.patchStatus<Pod>(PODS, p.metadata.name!, {
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
}

const service = (name: string, spec: Partial<Service['spec']>) =>
  cluster.create<Service>(SVCS, { metadata: { name, namespace: NS }, spec: { clusterIP: '10.96.0.50', ...spec } } as unknown as Service);
const endpointsOf = (name: string) => cluster.objects.get(`endpoints/${NS}/${name}`) as Endpoints | undefined;
const slicesOf = (name: string) => cluster.objectsOf<EndpointSlice>('endpointslices', NS).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name);
const sliceEndpoints = (name: string) => slicesOf(name).flatMap((s) => s.endpoints ?? []);

test('ready pods are ready endpoints, a not-ready pod is listed as not ready, with the named targetPort resolved per pod', async () => {
  await runningPod('a', '10.244.0.2', true);
  await runningPod('b', '10.244.0.3', true, { app: 'web' }, 9090);
  await runningPod('c', '10.244.0.4', false);
  await service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
  await waitFor(() => sliceEndpoints('web').length === 3 && !!endpointsOf('web')?.subsets, { timeoutMs: 3000, message: 'endpoints written' });
  const ep = endpointsOf('web')!;
  const byPort = Object.fromEntries(ep.subsets!.map((s) => [s.ports![0].port, s]));
  assert.deepEqual(byPort[8080].addresses!.map((a) => a.ip), ['10.244.0.2']);
  assert.deepEqual(byPort[8080].notReadyAddresses!.map((a) => a.ip), ['10.244.0.4']);
  assert.deepEqual(byPort[9090].addresses!.map((a) => a.ip), ['10.244.0.3']);
  const slices = slicesOf('web');
  assert.equal(slices.length, 2, 'one slice per resolved port list');
  for (const s of slices) {
    assert.equal(s.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(s.metadata.ownerReferences![0].kind, 'Service');
    assert.equal(s.addressType, 'IPv4');
  }
  const a = sliceEndpoints('web').find((e) => e.addresses[0] === '10.244.0.2')!;
  assert.deepEqual(a.conditions, { ready: true, serving: true, terminating: false });
  assert.deepEqual(a.targetRef?.name, 'a');
});

test('a terminating pod is at once not ready: gone from Endpoints, serving and terminating in its slice', async () => {
  await cluster.delete(PODS, 'a');
  await waitFor(() => sliceEndpoints('web').find((e) => e.addresses[0] === '10.244.0.2')?.conditions?.terminating === true,
    { timeoutMs: 3000, message: 'slice marks the pod terminating' });
  assert.deepEqual(sliceEndpoints('web').find((e) => e.addresses[0] === '10.244.0.2')!.conditions, { ready: false, serving: true, terminating: true });
  await waitFor(() => !JSON.stringify(endpointsOf('web')).includes('10.244.0.2'), { timeoutMs: 3000, message: 'Endpoints drop the pod' });
  await cluster.patch(PODS, 'a', { metadata: { finalizers: null } });
  await waitFor(() => !sliceEndpoints('web').some((e) => e.addresses[0] === '10.244.0.2'), { timeoutMs: 3000, message: 'slice drops the deleted pod' });
});

test('a headless Service lists its pods with hostnames when their subdomain names it', async () => {
  const p = await cluster.create<Pod>(PODS, {
    metadata: { name: 'db-0', namespace: NS, labels: { app: 'db' } },
    spec: { hostname: 'db-0', subdomain: 'db', containers: [{ name: 'c', image: 'i' }] },
  } as unknown as Pod);
  await cluster.patchStatus(PODS, p.metadata.name!, { status: { phase: 'Running', podIP: '10.244.0.9', conditions: [{ type: 'Ready', status: 'True' }] } });
  await service('db', { clusterIP: 'None', selector: { app: 'db' } });
  await waitFor(() => sliceEndpoints('db').length === 1, { timeoutMs: 3000, message: 'headless slice' });
  assert.equal(sliceEndpoints('db')[0].hostname, 'db-0');
  assert.equal(slicesOf('db')[0].metadata.labels!['service.kubernetes.io/headless'], '');
  assert.equal(endpointsOf('db')!.subsets![0].addresses![0].hostname, 'db-0');
});

test('a Service without a selector is left to its writer; a deleted Service takes its Endpoints and slices along', async () => {
  await service('manual', { ports: [{ port: 80, protocol: 'TCP' }] });
  await cluster.create(SVCS, { metadata: { name: 'marker', namespace: NS }, spec: { selector: { app: 'none' }, ports: [{ port: 1, protocol: 'TCP' }] } } as unknown as Service);
  await waitFor(() => slicesOf('marker').length === 1, { timeoutMs: 3000, message: 'placeholder slice for a Service without endpoints' });
  assert.deepEqual(slicesOf('marker')[0].endpoints, []);
  assert.equal(endpointsOf('manual'), undefined);
  assert.equal(slicesOf('manual').length, 0);
  await cluster.delete(SVCS, 'web');
  await waitFor(() => !endpointsOf('web') && slicesOf('web').length === 0, { timeoutMs: 3000, message: 'endpoints of a deleted Service removed' });
});
