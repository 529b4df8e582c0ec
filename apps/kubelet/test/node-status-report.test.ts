// The node's status is sent when it differs from the Node's or every --node-status-report-frequency, while its Lease
// is renewed every --node-status-update-frequency (k/k pkg/kubelet/kubelet_node_status.go tryUpdateNodeStatus).
// With a report period of an hour: the Lease moves on and the Node object is not rewritten; a status someone else
// changed (the node lifecycle controller's Unknown) is put back, and a deleted Node is registered again, within an
// update period. With a report period of 2 s, the unchanged status is sent again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { KubeObject, Node } from '@podling/api';
import { KubeClient } from '@podling/client';
import { makeTempDir, startApiserver, startHollowNodes, waitFor, type RunningApiserver, type RunningHollowNodes } from '@podling/testkit';

type Lease = KubeObject & { spec: { renewTime: string } };
let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
let hollow: RunningHollowNodes;
let client: KubeClient;
const nodes = { resource: 'nodes' };
const leases = { resource: 'leases', namespace: 'kube-node-lease' };
const readyOf = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready');
const ready = (n: Node | undefined) => readyOf(n ?? { metadata: {} } as Node)?.status === 'True';
const readyNode = (name: string, timeoutMs = 10_000) => waitFor(async () => {
  const n = await client.get<Node>(nodes, name).catch(() => undefined);
  return ready(n) && n;
}, { timeoutMs, message: `${name} Ready` });

before(async () => {
  tmp = makeTempDir();
  srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db') });
  client = new KubeClient({ server: srv.url });
  hollow = await startHollowNodes({ server: srv.url, count: 1, args: ['--node-status-update-frequency', '1s', '--node-status-report-frequency', '1h'] });
});

after(async () => {
  await hollow?.stop();
  await srv?.stop();
  tmp?.remove();
});

test('an unchanged status is not sent again within the report period, while the Lease is renewed every update period', async () => {
  const node = await readyNode('hollow-0');
  const first = await waitFor(() => client.get<Lease>(leases, 'hollow-0').catch(() => undefined), { message: 'its Lease' });
  // renewTime has microsecond precision: two renewals a second apart give two values.
  let renewals = 0;
  let seen = first.spec.renewTime;
  await waitFor(async () => {
    const l = await client.get<Lease>(leases, 'hollow-0');
    if (l.spec.renewTime !== seen) { renewals++; seen = l.spec.renewTime; }
    return renewals >= 2;
  }, { timeoutMs: 15_000, message: 'two more Lease renewals' });
  const now = await client.get<Node>(nodes, 'hollow-0');
  assert.equal(now.metadata.resourceVersion, node.metadata.resourceVersion, 'the Node was not rewritten');
  assert.deepEqual(now.status?.conditions, node.status?.conditions);
});

test('a status changed by someone else is put back within an update period, not a report period', async () => {
  const node = await readyNode('hollow-0');
  const conditions = node.status!.conditions!.map((c) => c.type === 'Ready'
    ? { ...c, status: 'Unknown' as const, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : c);
  await client.patchStatus(nodes, 'hollow-0', { status: { conditions } }, 'merge');
  const back = await readyNode('hollow-0');
  assert.equal(readyOf(back)?.reason, 'KubeletReady');
  assert.notEqual(readyOf(back)?.lastTransitionTime, undefined);
});

test('a deleted Node is registered again within an update period', async () => {
  const old = await readyNode('hollow-0');
  await client.delete(nodes, 'hollow-0');
  const again = await waitFor(async () => {
    const n = await client.get<Node>(nodes, 'hollow-0').catch(() => undefined);
    return n && n.metadata.uid !== old.metadata.uid && ready(n) && n;
  }, { message: 'hollow-0 registered again and Ready' });
  assert.ok(again.status?.nodeInfo, 'the whole status was sent');
});

test('with a report period of 2 s the unchanged status is sent again', async () => {
  const often = await startHollowNodes({ server: srv.url, count: 1, prefix: 'often', args: ['--node-status-update-frequency', '1s', '--node-status-report-frequency', '2s'] });
  try {
    const first = await readyNode('often-0');
    const beat = (n: Node) => readyOf(n)?.lastHeartbeatTime;
    const later = await waitFor(async () => {
      const n = await client.get<Node>(nodes, 'often-0');
      return beat(n) !== beat(first) && n;
    }, { message: 'the unchanged status reported again' });
    assert.equal(readyOf(later)?.lastTransitionTime, readyOf(first)?.lastTransitionTime, 'Ready did not transition');
  } finally {
    await often.stop();
  }
});
