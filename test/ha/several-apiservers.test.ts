// Issue 16 acceptance, several apiservers: a real 3-member etcd cluster on loopback, two apiservers on it
// (127.0.0.2 and 127.0.0.3, one port, as Kubernetes assumes), and a real agent whose --server lists both. They agree
// on objects and resourceVersions, a write through one reaches a watch on the other at once, a stale update through
// one conflicts, killing the apiserver that leads the controllers hands them to the other and pods are still
// scheduled and run, and an apiserver started later serves everything. Lease timings are shrunk through
// kube-controller-manager's flags; the `kubernetes` Service's endpoint leases through --endpoint-lease-ttl.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { KubeObject, Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import {
  makeTempDir, startApiserver, startEtcdCluster, startKubelet, waitFor,
  type EtcdCluster, type RunningApiserver, type RunningKubelet,
} from '@podling/testkit';

const pods = { resource: 'pods', namespace: 'default' };
const LEASE = ['--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '250ms'];
const pod = (name: string, extra: object = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }], ...extra },
} as Pod);

let tmp: ReturnType<typeof makeTempDir>;
let etcd: EtcdCluster;
const servers: RunningApiserver[] = [];
let agent: RunningKubelet | undefined;
let leader: RunningApiserver;
let follower: RunningApiserver;
const client = (s: RunningApiserver) => new KubeClient({ server: s.url });

async function apiserver(address: string, port: number): Promise<RunningApiserver> {
  const s = await startApiserver({
    dbPath: path.join(tmp.dir, `${address}.db`), port, storage: 'sqlite',
    args: ['--address', address, '--storage-backend', 'etcd3', '--etcd-servers', etcd.endpoints.join(','),
      '--endpoint-lease-ttl', '2s', '--node-monitor-grace-period', '20s', ...LEASE],
  });
  servers.push(s);
  return s;
}

const leads = (s: RunningApiserver) => s.process.output().includes('"msg":"acquired leadership"');
const endpointIps = async (s: RunningApiserver) => {
  const ep = await client(s).get<KubeObject & { subsets?: { addresses?: { ip: string }[] }[] }>({ resource: 'endpoints', namespace: 'default' }, 'kubernetes');
  return (ep.subsets ?? []).flatMap((x) => (x.addresses ?? []).map((a) => a.ip)).join();
};

before(async () => {
  tmp = makeTempDir('podling-ha-');
  etcd = await startEtcdCluster({ members: 3 });
  const a = await apiserver('127.0.0.2', 0);
  const b = await apiserver('127.0.0.3', a.port);
  await waitFor(() => leads(a) || leads(b), { timeoutMs: 15_000, message: 'one apiserver leads the controllers' });
  [leader, follower] = leads(a) ? [a, b] : [b, a];
  // The agent talks to the leader first, so killing it makes the agent move too.
  agent = await startKubelet({ server: `${leader.url},${follower.url}`, nodeName: 'ha-node', rootDir: path.join(tmp.dir, 'agent') });
  await waitFor(async () => (await client(follower).get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>({ resource: 'nodes' }, 'ha-node').catch(() => undefined))
    ?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'), { timeoutMs: 20_000, message: 'the node is Ready' });
});

after(async () => {
  await agent?.stop();
  for (const s of servers.reverse()) await s.stop();
  await etcd?.stop();
  tmp?.remove();
});

test('both apiservers serve the same object with the same resourceVersion, and list at the same revision', async () => {
  const created = await client(leader).create(pods, pod('agree', { schedulerName: 'nobody' }));
  const other = await client(follower).get<Pod>(pods, 'agree');
  assert.equal(other.metadata.resourceVersion, created.metadata.resourceVersion);
  assert.deepEqual(other, await client(leader).get<Pod>(pods, 'agree'));
  const [la, lb] = await Promise.all([client(leader).list(pods), client(follower).list(pods)]);
  assert.ok(BigInt(la.metadata.resourceVersion) >= BigInt(created.metadata.resourceVersion!));
  await waitFor(async () => (await client(follower).list(pods)).metadata.resourceVersion === (await client(leader).list(pods)).metadata.resourceVersion,
    { timeoutMs: 2000, message: `lists agree on the revision (${la.metadata.resourceVersion} vs ${lb.metadata.resourceVersion})` });
});

test('a write through one apiserver reaches a watch on the other within 100 ms', async () => {
  const start = (await client(follower).list(pods)).metadata.resourceVersion;
  const seen = new Map<string, number>();
  const w = client(follower).watch<Pod>(pods, { resourceVersion: start }, (ev) => {
    if (ev.type === 'ADDED') seen.set((ev.object as Pod).metadata.name!, performance.now());
  });
  try {
    const lags: number[] = [];
    for (let i = 0; i < 5; i++) {
      const name = `watched-${i}`;
      await client(leader).create(pods, pod(name, { schedulerName: 'nobody' }));
      const acked = performance.now();
      await waitFor(() => seen.has(name), { timeoutMs: 5000, message: `${name} reaches the other apiserver's watch` });
      lags.push(Math.max(0, seen.get(name)! - acked));
    }
    lags.sort((x, y) => x - y);
    assert.ok(lags[2] < 100, `median lag from the write's answer to the other apiserver's event: ${lags.map((l) => l.toFixed(1)).join(', ')} ms`);
  } finally {
    w.stop();
    await w.done.catch(() => {});
  }
});

test('a stale update through one apiserver conflicts (409) after an update through the other', async () => {
  const stale = await client(leader).create(pods, pod('stale', { schedulerName: 'nobody' }));
  await client(follower).update(pods, { ...stale, metadata: { ...stale.metadata, labels: { by: 'follower' } } });
  await assert.rejects(client(leader).update(pods, { ...stale, metadata: { ...stale.metadata, labels: { by: 'leader' } } }),
    (err: { code?: number; message?: string }) => err.code === 409 && /the object has been modified/.test(err.message ?? ''));
});

test('the kubernetes Service lists both apiservers', async () => {
  await waitFor(async () => (await endpointIps(follower)) === '127.0.0.2,127.0.0.3', { timeoutMs: 5000, message: 'both apiservers are endpoints' });
});

test('killing the apiserver that leads the controllers hands them over; new pods are still scheduled and run', { timeout: 60_000 }, async () => {
  leader.process.kill('SIGKILL');
  await leader.process.exited;
  const killed = Date.now();
  await waitFor(() => leads(follower), { timeoutMs: 10_000, message: 'the other apiserver takes the controllers over' });
  const handover = Date.now() - killed;
  assert.ok(handover < 3000 + 250 * 1.2 + 1500, `handed over after ${handover} ms (lease 3 s)`);
  await client(follower).create(pods, pod('after-failover'));
  await waitFor(async () => {
    const p = await client(follower).get<Pod>(pods, 'after-failover');
    return p.spec.nodeName === 'ha-node' && p.status?.phase === 'Running';
  }, { timeoutMs: 30_000, message: 'the new pod is scheduled by the new leader and run by the agent through the other apiserver' });
  const survivor = follower.url.includes('127.0.0.2') ? '127.0.0.2' : '127.0.0.3';
  await waitFor(async () => (await endpointIps(follower)) === survivor, { timeoutMs: 10_000, message: 'the dead apiserver leaves the kubernetes endpoints' });
});

test('an apiserver started later serves everything, at the same revisions', async () => {
  const late = await apiserver('127.0.0.4', follower.port);
  const want = await client(follower).get<Pod>(pods, 'after-failover');
  assert.deepEqual(await client(late).get<Pod>(pods, 'after-failover'), want);
  const names = async (s: RunningApiserver) => (await client(s).list<Pod>(pods)).items.map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`).sort();
  await waitFor(async () => (await names(late)).join() === (await names(follower)).join(), { timeoutMs: 2000, message: 'the late apiserver lists what the other does' });
  assert.ok((await names(late)).length >= 8);
  await waitFor(async () => (await endpointIps(late)).split(',').includes('127.0.0.4'), { timeoutMs: 5000, message: 'the late apiserver joins the endpoints' });
});
