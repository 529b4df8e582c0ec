// The namespace finalizer against a real store and registry: a namespace delete either finishes or says on the
// namespace why it cannot (the conditions kubernetes' namespace controller sets), and retries until it can.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import pino from 'pino';
import type { Namespace, NamespaceCondition } from '@podling/api';
import { openSqliteStorage, type SqliteStorage } from '@podling/store';
import { makeTempDir, waitFor } from '@podling/testkit';
import { startNamespaceFinalizer } from '../src/housekeeping/namespace-finalizer.ts';
import { namespaces } from '../src/registry/namespace-strategy.ts';
import { pods } from '../src/registry/pod-strategy.ts';
import { Registry } from '../src/registry/registry.ts';

let tmp: ReturnType<typeof makeTempDir>;
let storage: SqliteStorage;
let registry: Registry;
let finalizer: { stop(): void };
/** Deletes of pods named here fail, as a delete that cannot succeed would. */
const failing = new Set<string>();

before(() => {
  tmp = makeTempDir('podling-ns-finalizer-');
  storage = openSqliteStorage({ path: path.join(tmp.dir, 'podling.db') });
  registry = new Registry(storage, { allowPrivileged: false }, (a) => {
    if (a.operation === 'delete' && failing.has(a.name)) throw new Error(`injected failure deleting ${a.name}`);
  });
  finalizer = startNamespaceFinalizer(storage, registry, pino({ level: 'silent' }));
});

after(async () => {
  finalizer?.stop();
  await storage?.close();
  tmp?.remove();
});

const pod = (name: string, extra: { nodeName?: string; grace?: number; finalizers?: string[] } = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(extra.finalizers ? { finalizers: extra.finalizers } : {}) },
  spec: { nodeName: extra.nodeName, terminationGracePeriodSeconds: extra.grace, containers: [{ name: 'c', image: 'busybox' }] },
});

async function terminatingNamespace(name: string, content: ReturnType<typeof pod>[]): Promise<void> {
  await registry.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  for (const p of content) await registry.create(pods, name, p);
  await registry.delete(namespaces, undefined, name, {});
}

const namespaceGone = (name: string) => waitFor(() => !storage.get({ resource: 'namespaces', namespace: '', name }), {
  timeoutMs: 10_000, message: `namespace ${name} removed`,
});

function condition(ns: string, type: string): NamespaceCondition | undefined {
  return (storage.get({ resource: 'namespaces', namespace: '', name: ns })?.object as Namespace | undefined)?.status?.conditions?.find((c) => c.type === type);
}

test('issue 14.7: a namespace holding a pod stored with a grace period too long for a timestamp still empties', async () => {
  // Written straight to storage, as a pod stored before validation bounded the field would be.
  await registry.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy' } });
  const legacy = pod('forever', { nodeName: 'n1', grace: 1e22 });
  await storage.create({ resource: 'pods', namespace: 'legacy', name: 'forever' }, {
    ...legacy, metadata: { ...legacy.metadata, namespace: 'legacy', uid: 'u-legacy', creationTimestamp: '2024-01-01T00:00:00Z' },
  } as never);
  await registry.delete(namespaces, undefined, 'legacy', {});
  const stamped = await waitFor(() => storage.get({ resource: 'pods', namespace: 'legacy', name: 'forever' })?.object.metadata.deletionTimestamp,
    { timeoutMs: 10_000, message: 'the legacy pod got a deletion timestamp' });
  assert.ok(Number.isFinite(Date.parse(stamped)), stamped);
  // Its node confirms the stop with a grace-0 delete, as an agent does; then the namespace goes.
  await registry.delete(pods, 'legacy', 'forever', { gracePeriodSeconds: 0 });
  await namespaceGone('legacy');
});

test('issue 14.7: a delete that fails is shown on the namespace, retried, and the namespace goes once it succeeds', async () => {
  failing.add('stuck');
  await terminatingNamespace('failing', [pod('stuck'), pod('fine')]);
  const failure = await waitFor(() => condition('failing', 'NamespaceDeletionContentFailure')?.status === 'True' && condition('failing', 'NamespaceDeletionContentFailure'),
    { timeoutMs: 10_000, message: 'NamespaceDeletionContentFailure=True on the namespace' });
  assert.equal(failure.reason, 'ContentDeletionFailed');
  assert.equal(failure.message, 'Failed to delete all resource types, 1 remaining: pods "stuck": injected failure deleting stuck');
  assert.equal(condition('failing', 'NamespaceContentRemaining')?.reason, 'SomeResourcesRemain');
  failing.delete('stuck');
  await namespaceGone('failing');
  assert.equal(storage.list('pods', { namespace: 'failing' }).items.length, 0);
});

test('issue 14.7: a namespace held by a finalizer says so, and goes when the finalizer is removed', async () => {
  await terminatingNamespace('held', [pod('kept', { finalizers: ['example.com/hold'] })]);
  const fin = await waitFor(() => condition('held', 'NamespaceFinalizersRemaining')?.status === 'True' && condition('held', 'NamespaceFinalizersRemaining'),
    { timeoutMs: 10_000, message: 'NamespaceFinalizersRemaining=True on the namespace' });
  assert.deepEqual([fin.reason, fin.message], ['SomeFinalizerRemain', 'Some finalizers are remaining: example.com/hold in 1 resource instances']);
  assert.deepEqual(
    [condition('held', 'NamespaceContentRemaining')?.message, condition('held', 'NamespaceDeletionContentFailure')?.status],
    ['Some resources are remaining: pods. has 1 resource instances', 'False']);
  await assert.rejects(registry.create(pods, 'held', pod('late')), (e: { code: number; status: { message: string } }) =>
    e.code === 403 && e.status.message === 'pods "late" is forbidden: unable to create new content in namespace held because it is being terminated');
  await registry.patch(pods, 'held', 'kept', 'json', [{ op: 'remove', path: '/metadata/finalizers' }]);
  await namespaceGone('held');
});
