// The node's status is sent when it changes or every --node-status-report-frequency, while its Lease is renewed every
// --node-status-update-frequency (k/k pkg/kubelet/kubelet_node_status.go tryUpdateNodeStatus): with a report period
// of an hour, the Lease moves on and the Node object is not rewritten; with one of 2 s the unchanged status is sent
// again, and a Node deleted meanwhile is registered again at that report.
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
const ready = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

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
  const node = await waitFor(async () => { const n = await client.get<Node>(nodes, 'hollow-0').catch(() => undefined); return n && ready(n) && n; },
    { message: 'hollow-0 Ready' });
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

test('an unchanged status is sent every report period, and a deleted Node registers again at its next report', async () => {
  const often = await startHollowNodes({ server: srv.url, count: 1, prefix: 'often', args: ['--node-status-update-frequency', '1s', '--node-status-report-frequency', '2s'] });
  try {
    const first = await waitFor(async () => { const n = await client.get<Node>(nodes, 'often-0').catch(() => undefined); return n && ready(n) && n; },
      { message: 'often-0 Ready' });
    const beat = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
    await waitFor(async () => beat(await client.get<Node>(nodes, 'often-0')) !== beat(first), { message: 'the unchanged status reported again' });
    await client.delete(nodes, 'often-0');
    // Its Lease stays (the garbage collector here does not collect Leases); the next report's PATCH finds no Node.
    const again = await waitFor(async () => {
      const n = await client.get<Node>(nodes, 'often-0').catch(() => undefined);
      return n && n.metadata.uid !== first.metadata.uid && ready(n) && n;
    }, { timeoutMs: 15_000, message: 'often-0 registered again and Ready' });
    assert.ok(again.status?.nodeInfo, 'the whole status was sent');
  } finally {
    await often.stop();
  }
});
