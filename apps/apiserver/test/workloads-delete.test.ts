// Issue 15 (API side): deletion of owners on the server (propagationPolicy and its finalizers, per-kind defaults,
// ownerReference validation) and client-node's AppsV1Api/BatchV1Api against the workload kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { call, pod, useApiserver } from './http-helpers.ts';

const srv = useApiserver();
const APPS = '/apis/apps/v1/namespaces/default';
const BATCH = '/apis/batch/v1/namespaces/default';
const tpl = (labels: Record<string, string>, restartPolicy = 'Always') => ({
  metadata: { labels }, spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1'] }] },
});
const rs = (name: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: tpl({ app: name }) } });

test('issue 15: Background removes the owner at once with a Success Status naming group and kind', async () => {
  await call(srv.url, 'POST', `${APPS}/replicasets`, rs('bg'));
  const r = await call(srv.url, 'DELETE', `${APPS}/replicasets/bg`, { propagationPolicy: 'Background' });
  assert.equal(r.status, 200);
  assert.deepEqual([r.body.kind, r.body.status, r.body.details.group, r.body.details.kind, r.body.details.name], ['Status', 'Success', 'apps', 'replicasets', 'bg']);
  assert.equal((await call(srv.url, 'GET', `${APPS}/replicasets/bg`)).status, 404);
});

test('issue 15: Foreground and Orphan keep the owner with their finalizer until it is removed; a later policy swaps it', async () => {
  await call(srv.url, 'POST', `${APPS}/replicasets`, rs('fg'));
  const fg = await call(srv.url, 'DELETE', `${APPS}/replicasets/fg`, { propagationPolicy: 'Foreground' });
  assert.equal(fg.status, 200);
  assert.deepEqual(fg.body.metadata.finalizers, ['foregroundDeletion']);
  assert.ok(fg.body.metadata.deletionTimestamp);
  const orphan = await call(srv.url, 'DELETE', `${APPS}/replicasets/fg?propagationPolicy=Orphan`);
  assert.deepEqual(orphan.body.metadata.finalizers, ['orphan']);
  // The garbage collector's last step: removing the finalizer completes the deletion.
  const done = await call(srv.url, 'PATCH', `${APPS}/replicasets/fg`, { metadata: { finalizers: null } }, { contentType: 'application/merge-patch+json' });
  assert.equal(done.status, 200, done.text);
  assert.equal((await call(srv.url, 'GET', `${APPS}/replicasets/fg`)).status, 404);
});

test('issue 15: a Job deleted without a policy orphans its pods (batch/v1 default); orphanDependents=false is Background', async () => {
  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: tpl({}, 'Never') } };
  await call(srv.url, 'POST', `${BATCH}/jobs`, job);
  assert.deepEqual((await call(srv.url, 'DELETE', `${BATCH}/jobs/j`)).body.metadata.finalizers, ['orphan']);
  await call(srv.url, 'POST', `${BATCH}/jobs`, { ...job, metadata: { name: 'j2' } });
  assert.equal((await call(srv.url, 'DELETE', `${BATCH}/jobs/j2`, { orphanDependents: false })).body.kind, 'Status');
  const both = await call(srv.url, 'DELETE', `${BATCH}/jobs/j`, { orphanDependents: true, propagationPolicy: 'Orphan' });
  assert.equal(both.status, 422);
  const bad = await call(srv.url, 'DELETE', `${BATCH}/jobs/j`, { propagationPolicy: 'Sometimes' });
  assert.equal(bad.status, 422);
  assert.match(bad.body.message, /propagationPolicy: Unsupported value: "Sometimes"/);
});

test('issue 15: an object may have only one controller owner', async () => {
  const owner = (uid: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `o-${uid}`, uid, controller: true });
  const p = pod('two-owners');
  const r = await call(srv.url, 'POST', '/api/v1/namespaces/default/pods', { ...p, metadata: { ...p.metadata, ownerReferences: [owner('1'), owner('2')] } });
  assert.equal(r.status, 422);
  assert.match(r.body.message, /metadata\.ownerReferences: Invalid value: .*: Only one reference can have Controller set to true/);
});

test('issue 15: client-node AppsV1Api and BatchV1Api create, read, scale, list, patch and delete', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'p', server: srv.url, skipTLSVerify: true }], users: [{ name: 'u' }],
    contexts: [{ name: 'p', cluster: 'p', user: 'u' }], currentContext: 'p',
  });
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const created = await apps.createNamespacedDeployment({ namespace: 'default', body: {
    metadata: { name: 'cn' }, spec: { replicas: 2, selector: { matchLabels: { app: 'cn' } }, template: tpl({ app: 'cn' }) as k8s.V1PodTemplateSpec },
  } });
  assert.equal(created.metadata?.generation, 1);
  const scale = await apps.readNamespacedDeploymentScale({ name: 'cn', namespace: 'default' });
  assert.equal(scale.spec?.replicas, 2);
  await apps.replaceNamespacedDeploymentScale({ name: 'cn', namespace: 'default', body: { ...scale, spec: { replicas: 4 } } });
  assert.equal((await apps.readNamespacedDeployment({ name: 'cn', namespace: 'default' })).spec?.replicas, 4);
  await batch.createNamespacedJob({ namespace: 'default', body: { metadata: { name: 'cnj' }, spec: { template: tpl({}, 'Never') as k8s.V1PodTemplateSpec } } });
  const jobs = await batch.listNamespacedJob({ namespace: 'default' });
  assert.ok(jobs.items.some((j) => j.metadata?.name === 'cnj'));
  // The generated patch calls default to a JSON patch (application/json-patch+json).
  await apps.patchNamespacedDeployment({ name: 'cn', namespace: 'default', body: [{ op: 'add', path: '/spec/paused', value: true }] });
  await batch.patchNamespacedJob({ name: 'cnj', namespace: 'default', body: [{ op: 'add', path: '/metadata/labels', value: { team: 'a' } }] });
  assert.equal((await apps.readNamespacedDeployment({ name: 'cn', namespace: 'default' })).spec?.paused, true);
  assert.deepEqual((await batch.readNamespacedJob({ name: 'cnj', namespace: 'default' })).metadata?.labels, { team: 'a' });
  await apps.deleteNamespacedDeployment({ name: 'cn', namespace: 'default' });
  assert.equal((await call(srv.url, 'GET', `${APPS}/deployments/cn`)).status, 404);
});
