// Issue 15: the garbage collector against an in-memory apiserver — dependents of a gone owner are deleted (also
// when the name now belongs to another uid, and after a restart), a dependent with another live owner only loses
// the dead reference, Orphan strips references before the owner goes, Foreground deletes dependents first.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { KubeObject, OwnerReference, Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { GarbageCollector } from '../src/garbage-collector.ts';
import { SharedInformers } from '../src/shared-informers.ts';
import { FakeCluster } from './fake-cluster.ts';

const log = pino({ level: 'silent' });
const running: GarbageCollector[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((c) => c.stop())); });

async function start(cluster: FakeCluster): Promise<GarbageCollector> {
  const c = new GarbageCollector({ client: cluster, logger: log, informers: new SharedInformers(cluster, log) });
  running.push(c);
  await c.start();
  return c;
}

const RS = { resource: 'replicasets', namespace: 'default' };
const DEPLOY = { resource: 'deployments', namespace: 'default' };
const PODS = { resource: 'pods', namespace: 'default' };

function ref(owner: KubeObject, kind: string, apiVersion = 'apps/v1'): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

const pod = (name: string, owners: OwnerReference[]): Pod =>
  ({ metadata: { name, namespace: 'default', ownerReferences: owners }, spec: { containers: [{ name: 'c', image: 'i' }] } }) as Pod;

const exists = (c: FakeCluster, resource: string, name: string) => c.objects.has(`${resource}/default/${name}`);
const named = (name: string) => ({ metadata: { name, namespace: 'default' }, spec: {} }) as KubeObject;

test('a pod whose owner is gone is deleted; a pod whose owner lives stays', async () => {
  const cluster = new FakeCluster();
  const live = await cluster.create(RS, named('live'));
  await cluster.create(PODS, pod('kept', [ref(live, 'ReplicaSet')]));
  await cluster.create(PODS, pod('orphaned', [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone', uid: 'no-such-uid' }]));
  await start(cluster);
  await waitFor(() => !exists(cluster, 'pods', 'orphaned'), { timeoutMs: 5000, message: 'orphaned pod deleted' });
  assert.ok(exists(cluster, 'pods', 'kept'));
  assert.ok(cluster.requests.includes('delete pods'));
  assert.ok(!cluster.requests.some((r) => r === 'delete replicasets'));
});

test('an owner recreated under the same name (another uid) counts as gone', async () => {
  const cluster = new FakeCluster();
  await start(cluster);
  const first = await cluster.create(RS, named('web'));
  await cluster.delete(RS, 'web', { propagationPolicy: 'Orphan' });
  await waitFor(() => !exists(cluster, 'replicasets', 'web'), { timeoutMs: 5000, message: 'orphan finalizer removed' });
  await cluster.create(RS, named('web'));
  await cluster.create(PODS, pod('stale', [ref(first, 'ReplicaSet')]));
  await waitFor(() => !exists(cluster, 'pods', 'stale'), { timeoutMs: 5000, message: 'pod of the old uid deleted' });
  assert.ok(exists(cluster, 'replicasets', 'web'));
});

test('a dependent with another live owner only loses the dead reference', async () => {
  const cluster = new FakeCluster();
  const a = await cluster.create(RS, named('a'));
  const b = await cluster.create(RS, named('b'));
  await cluster.create(PODS, pod('shared', [ref(a, 'ReplicaSet'), { ...ref(b, 'ReplicaSet'), controller: false }]));
  await start(cluster);
  await cluster.delete(RS, 'a');
  await waitFor(async () => (await cluster.get<Pod>(PODS, 'shared')).metadata.ownerReferences?.length === 1, { timeoutMs: 5000, message: 'dead reference dropped' });
  assert.equal((await cluster.get<Pod>(PODS, 'shared')).metadata.ownerReferences![0].uid, b.metadata.uid);
});

test('Background deletion of a Deployment cascades to its ReplicaSet and then its pods', async () => {
  const cluster = new FakeCluster();
  await start(cluster);
  const d = await cluster.create(DEPLOY, named('web'));
  const rs = await cluster.create(RS, { ...named('web-abc'), metadata: { name: 'web-abc', namespace: 'default', ownerReferences: [ref(d, 'Deployment')] } });
  await cluster.create(PODS, pod('web-abc-1', [ref(rs, 'ReplicaSet')]));
  await cluster.create(PODS, pod('web-abc-2', [ref(rs, 'ReplicaSet')]));
  await cluster.delete(DEPLOY, 'web', { propagationPolicy: 'Background' });
  await waitFor(() => cluster.objectsOf('replicasets').length === 0 && cluster.objectsOf('pods').length === 0, { timeoutMs: 5000, message: 'RS and pods gone' });
});

test('Orphan deletion strips the reference from every dependent, then lets the owner go', async () => {
  const cluster = new FakeCluster();
  await start(cluster);
  const rs = await cluster.create(RS, named('web'));
  await cluster.create(PODS, pod('p1', [ref(rs, 'ReplicaSet')]));
  await cluster.create(PODS, pod('p2', [ref(rs, 'ReplicaSet')]));
  await cluster.delete(RS, 'web', { propagationPolicy: 'Orphan' });
  await waitFor(() => !exists(cluster, 'replicasets', 'web'), { timeoutMs: 5000, message: 'owner gone' });
  for (const p of cluster.objectsOf<Pod>('pods')) assert.equal(p.metadata.ownerReferences, undefined, p.metadata.name);
  assert.equal(cluster.objectsOf('pods').length, 2);
});

test('Foreground deletion removes the dependents first and the owner only when none is left', async () => {
  const cluster = new FakeCluster();
  // Play a kubelet that holds a pod in its grace period: a finalizer the test removes later.
  const rs = await cluster.create(RS, named('web'));
  await cluster.create(PODS, { ...pod('slow', [ref(rs, 'ReplicaSet')]), metadata: { name: 'slow', namespace: 'default', ownerReferences: [ref(rs, 'ReplicaSet')], finalizers: ['test/hold'] } } as Pod);
  await cluster.create(PODS, pod('fast', [ref(rs, 'ReplicaSet')]));
  await start(cluster);
  await cluster.delete(RS, 'web', { propagationPolicy: 'Foreground' });
  await waitFor(async () => !exists(cluster, 'pods', 'fast') && (await cluster.get<Pod>(PODS, 'slow')).metadata.deletionTimestamp, { timeoutMs: 5000, message: 'dependents deleted' });
  assert.ok(exists(cluster, 'replicasets', 'web'), 'owner waits for its terminating dependent');
  await cluster.patch(PODS, 'slow', { metadata: { finalizers: null } });
  await waitFor(() => !exists(cluster, 'replicasets', 'web'), { timeoutMs: 5000, message: 'owner gone after its last dependent' });
});

test('Foreground deletion goes down the tree: a Deployment waits until its ReplicaSet has waited for its pods', async () => {
  const cluster = new FakeCluster();
  const deploy = await cluster.create(DEPLOY, named('app'));
  const rs = await cluster.create(RS, { metadata: { name: 'app-1', namespace: 'default', ownerReferences: [ref(deploy, 'Deployment')] }, spec: {} } as KubeObject);
  await cluster.create(PODS, { ...pod('held', [ref(rs, 'ReplicaSet')]), metadata: { name: 'held', namespace: 'default', ownerReferences: [ref(rs, 'ReplicaSet')], finalizers: ['test/hold'] } } as Pod);
  await start(cluster);
  await cluster.delete(DEPLOY, 'app', { propagationPolicy: 'Foreground' });
  await waitFor(async () => (await cluster.get<Pod>(PODS, 'held')).metadata.deletionTimestamp, { timeoutMs: 5000, message: 'the pod is deleted' });
  const replicaSet = await cluster.get<KubeObject>(RS, 'app-1');
  assert.ok(replicaSet.metadata.finalizers?.includes('foregroundDeletion'), 'the ReplicaSet, which owns a pod, is deleted in the foreground');
  assert.ok(exists(cluster, 'deployments', 'app'), 'the Deployment waits for its ReplicaSet');
  await cluster.patch(PODS, 'held', { metadata: { finalizers: null } });
  await waitFor(() => !exists(cluster, 'deployments', 'app'), { timeoutMs: 5000, message: 'the Deployment goes last' });
  assert.ok(!exists(cluster, 'replicasets', 'app-1') && !exists(cluster, 'pods', 'held'));
});

test('after a restart, dependents of an owner deleted while the collector was down are collected', async () => {
  const cluster = new FakeCluster();
  const gc = await start(cluster);
  const rs = await cluster.create(RS, named('web'));
  await cluster.create(PODS, pod('p', [ref(rs, 'ReplicaSet')]));
  await gc.stop();
  running.splice(running.indexOf(gc), 1);
  await cluster.delete(RS, 'web');
  assert.ok(exists(cluster, 'pods', 'p'));
  await start(cluster);
  await waitFor(() => !exists(cluster, 'pods', 'p'), { timeoutMs: 5000, message: 'pod collected after restart' });
});

test('an owner of a kind the collector does not watch is assumed to live', async () => {
  const cluster = new FakeCluster();
  await cluster.create(PODS, pod('custom', [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'u' }]));
  await start(cluster);
  await cluster.create(PODS, pod('orphaned', [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone', uid: 'x' }]));
  await waitFor(() => !exists(cluster, 'pods', 'orphaned'), { timeoutMs: 5000, message: 'orphaned pod deleted' });
  assert.ok(exists(cluster, 'pods', 'custom'));
});
