// Issue 16 (several apiservers): the `kubernetes` Service's endpoints list the live apiservers, kept by Kubernetes'
// lease endpoint reconciler — each apiserver renews a Lease kube-system/apiserver-<hash> and writes the addresses
// of the unexpired ones; one that stops cleanly leaves at once, one that died leaves when its lease expired (and its
// Lease is deleted). Several reconcilers share one real store and registry here, as apiservers share etcd.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import pino from 'pino';
import { microTime, type KubeObject } from '@podling/api';
import { openSqliteStorage, type SqliteStorage } from '@podling/store';
import { makeTempDir, waitFor } from '@podling/testkit';
import { ensureBuiltinNamespaces } from '../src/housekeeping/bootstrap.ts';
import {
  ADDRESS_ANNOTATION, IDENTITY_LABEL, endpointLeaseName, liveAddresses, startEndpointLeaseReconciler,
} from '../src/housekeeping/endpoint-lease-reconciler.ts';
import { leases } from '../src/registry/lease-strategy.ts';
import { Registry } from '../src/registry/registry.ts';

let tmp: ReturnType<typeof makeTempDir>;
let storage: SqliteStorage;
let registry: Registry;
const log = pino({ level: 'silent' });
const TTL_MS = 600;

before(async () => {
  tmp = makeTempDir('podling-endpoint-leases-');
  storage = openSqliteStorage({ path: path.join(tmp.dir, 'podling.db') });
  registry = new Registry(storage, { allowPrivileged: false });
  await ensureBuiltinNamespaces(storage, registry);
});

after(async () => {
  await storage?.close();
  tmp?.remove();
});

const endpointIps = (): string[] => {
  const ep = storage.get({ resource: 'endpoints', namespace: 'default', name: 'kubernetes' })?.object as { subsets?: { addresses?: { ip: string }[] }[] } | undefined;
  return (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
};
const sliceIps = (): string[] => {
  const s = storage.get({ resource: 'endpointslices', namespace: 'default', name: 'kubernetes' })?.object as { endpoints?: { addresses: string[] }[] } | undefined;
  return (s?.endpoints ?? []).flatMap((e) => e.addresses);
};
const lease = (renewedAgoMs: number, seconds: number, address?: string): KubeObject => ({
  apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'x', annotations: address ? { [ADDRESS_ANNOTATION]: address } : {} },
  spec: { renewTime: microTime(Date.now() - renewedAgoMs), leaseDurationSeconds: seconds },
});

test('live addresses are the unexpired records, sorted and deduplicated; expired ones are reported', () => {
  const { live, expired } = liveAddresses([lease(0, 15, '10.0.0.2'), lease(1000, 15, '10.0.0.1'), lease(20_000, 15, '10.0.0.3'), lease(0, 15, '10.0.0.1')], Date.now());
  assert.deepEqual(live, ['10.0.0.1', '10.0.0.2']);
  assert.deepEqual(expired.map((l) => l.metadata.annotations?.[ADDRESS_ANNOTATION]), ['10.0.0.3']);
});

test('lease names are stable per address and port and distinct for two apiservers on one host', () => {
  assert.equal(endpointLeaseName('127.0.0.1', 6443), endpointLeaseName('127.0.0.1', 6443));
  assert.notEqual(endpointLeaseName('127.0.0.1', 6443), endpointLeaseName('127.0.0.1', 6444));
  assert.match(endpointLeaseName('10.0.0.1', 6443), /^apiserver-[0-9a-f]{26}$/);
});

test('every live apiserver is an endpoint; a clean stop leaves at once; a dead one leaves when its lease expires', { timeout: 20_000 }, async () => {
  const a = startEndpointLeaseReconciler({ registry, address: '127.0.0.2', port: 6443, ttlMs: TTL_MS, log });
  const b = startEndpointLeaseReconciler({ registry, address: '127.0.0.3', port: 6443, ttlMs: TTL_MS, log });
  await Promise.all([a.firstRound, b.firstRound]);
  await waitFor(() => endpointIps().join() === '127.0.0.2,127.0.0.3', { timeoutMs: 5000, message: `both apiservers listed (have ${endpointIps()})` });
  assert.deepEqual(sliceIps(), ['127.0.0.2', '127.0.0.3']);
  const own = storage.get({ resource: 'leases', namespace: 'kube-system', name: endpointLeaseName('127.0.0.2', 6443) })?.object as KubeObject & { spec: { holderIdentity: string } };
  assert.equal(own.metadata.labels?.[IDENTITY_LABEL], 'kube-apiserver');
  assert.match(own.spec.holderIdentity, new RegExp(`^${own.metadata.name}_[0-9a-f-]{36}$`));

  await a.stop();
  assert.deepEqual(endpointIps(), ['127.0.0.3'], 'a clean stop removes the apiserver before it exits');
  assert.equal(storage.get({ resource: 'leases', namespace: 'kube-system', name: endpointLeaseName('127.0.0.2', 6443) }), undefined);

  // An apiserver that died: its record stays unrenewed until the survivor finds it expired and deletes it.
  await registry.create(leases, 'kube-system', {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: { name: 'apiserver-dead', labels: { [IDENTITY_LABEL]: 'kube-apiserver' }, annotations: { [ADDRESS_ANNOTATION]: '127.0.0.9' } },
    spec: { holderIdentity: 'apiserver-dead_1', leaseDurationSeconds: 2, renewTime: microTime() },
  });
  await waitFor(() => endpointIps().includes('127.0.0.9'), { timeoutMs: 5000, message: 'the other apiserver is listed while its lease lives' });
  await waitFor(() => endpointIps().join() === '127.0.0.3', { timeoutMs: 5000, message: `the dead apiserver leaves the endpoints (have ${endpointIps()})` });
  assert.equal(storage.get({ resource: 'leases', namespace: 'kube-system', name: 'apiserver-dead' }), undefined, 'its expired Lease is deleted');

  await b.stop();
  assert.deepEqual(endpointIps(), [], 'the last apiserver leaves no endpoint behind');
});
