// Issue 19: the node IPAM range allocator against an in-memory apiserver — each Node without a pod range gets the
// next free block of the cluster CIDR in spec.podCIDR and spec.podCIDRs; a restarted controller first learns the
// blocks existing Nodes hold and never hands one out twice; a deleted Node's block is released; a full range is a
// CIDRNotAvailable event on the Node, retried when a block comes free. The flags are parsed once for both binaries.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { parseIpv4Cidr, type KubeEvent, type Node } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { CidrSet } from '../src/cidr-set.ts';
import { NodeIpamController } from '../src/node-ipam-controller.ts';
import { parseNodeCidrFlags } from '../src/node-cidr-flags.ts';
import { SharedInformers } from '../src/shared-informers.ts';
import { FakeCluster } from './fake-cluster.ts';

const log = pino({ level: 'silent' });
const running: NodeIpamController[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((c) => c.stop())); });

async function start(cluster: FakeCluster, clusterCidr = '10.244.0.0/16', mask = 24): Promise<NodeIpamController> {
  const c = new NodeIpamController({ client: cluster, logger: log, informers: new SharedInformers(cluster, log), clusterCidr: parseIpv4Cidr(clusterCidr)!, nodeCidrMaskSize: mask });
  running.push(c);
  await c.start();
  return c;
}

const addNode = (c: FakeCluster, name: string, podCIDR?: string) =>
  c.create<Node>({ resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });
const rangeOf = (c: FakeCluster, name: string) => c.objectsOf<Node>('nodes').find((n) => n.metadata.name === name)?.spec?.podCIDRs;
const ranged = (c: FakeCluster, name: string) => waitFor(() => rangeOf(c, name), { timeoutMs: 5000, message: `node ${name} has a pod range` });

test('issue 19: every Node without a pod range gets the next free /24, in spec.podCIDR and spec.podCIDRs', async () => {
  const cluster = new FakeCluster();
  await addNode(cluster, 'a');
  await start(cluster);
  await addNode(cluster, 'b');
  assert.deepEqual(await ranged(cluster, 'a'), ['10.244.0.0/24']);
  assert.deepEqual(await ranged(cluster, 'b'), ['10.244.1.0/24']);
  assert.equal(cluster.objectsOf<Node>('nodes').find((n) => n.metadata.name === 'b')!.spec!.podCIDR, '10.244.1.0/24');
});

test('issue 19: a restarted controller rebuilds its allocations from the Nodes and never gives a range twice', async () => {
  const cluster = new FakeCluster();
  await addNode(cluster, 'a', '10.244.0.0/24');
  await addNode(cluster, 'b', '10.244.1.0/24');
  await addNode(cluster, 'c', '10.244.3.0/24');
  await addNode(cluster, 'd');
  await addNode(cluster, 'e');
  const c = await start(cluster);
  const got = [await ranged(cluster, 'd'), await ranged(cluster, 'e')].map((r) => r![0]).sort();
  assert.deepEqual(got, ['10.244.2.0/24', '10.244.4.0/24']);
  assert.equal(c.cidrs.free, 256 - 5);
});

test('issue 19: a full range is a CIDRNotAvailable event on the Node; a deleted Node\'s block goes to the waiting one', async () => {
  const cluster = new FakeCluster();
  await start(cluster, '10.244.0.0/23', 24);
  await addNode(cluster, 'a');
  await addNode(cluster, 'b');
  await ranged(cluster, 'a');
  const bRange = await ranged(cluster, 'b');
  await addNode(cluster, 'c');
  const ev = await waitFor(() => cluster.objectsOf<KubeEvent>('events', 'default').find((e) => e.involvedObject.name === 'c'),
    { timeoutMs: 5000, message: 'CIDRNotAvailable event' });
  assert.equal(ev.reason, 'CIDRNotAvailable');
  assert.equal(ev.message, 'Node c status is now: CIDRNotAvailable');
  assert.equal(ev.source?.component, 'cidrAllocator');
  assert.equal(rangeOf(cluster, 'c'), undefined);
  await cluster.delete({ resource: 'nodes' }, 'b');
  assert.deepEqual(await ranged(cluster, 'c'), bRange);
});

test('issue 19: the cluster range is cut into blocks round robin, skipping taken ones and what overlaps them', () => {
  const set = new CidrSet(parseIpv4Cidr('10.244.0.0/22')!, 24);
  set.occupy('10.244.1.7/25'); // host bits allowed, as in the API; marks the block it overlaps
  set.occupy('192.168.0.0/24'); // outside the range: ignored
  assert.deepEqual([set.allocateNext(), set.allocateNext()], ['10.244.0.0/24', '10.244.2.0/24']);
  set.release('10.244.0.0/24');
  assert.deepEqual([set.allocateNext(), set.allocateNext(), set.allocateNext()], ['10.244.3.0/24', '10.244.0.0/24', undefined]);
});

const flagCases: [string, string, string, string | undefined][] = [
  ['the defaults are 10.244.0.0/16 in /24s', '10.244.0.0/16', '24', undefined],
  ['a CIDR with host bits is refused', '10.244.0.1/16', '24', '--cluster-cidr: "10.244.0.1/16" is not an IPv4 network in CIDR notation (e.g. 10.244.0.0/16)'],
  ['IPv6 is refused', 'fd00::/48', '24', '--cluster-cidr: "fd00::/48" is not an IPv4 network in CIDR notation (e.g. 10.244.0.0/16)'],
  ['a node mask wider than the cluster is refused', '10.244.0.0/16', '15', '--node-cidr-mask-size: must be between the cluster CIDR\'s mask (/16) and 16 bits more, got 15'],
  ['more than 65536 blocks are refused', '10.0.0.0/8', '30', '--node-cidr-mask-size: must be between the cluster CIDR\'s mask (/8) and 16 bits more, got 30'],
  ['a mask that is not a number is refused', '10.244.0.0/16', 'x', '--node-cidr-mask-size: must be an integer <= 30, got "x"'],
];
for (const [what, cidr, mask, problem] of flagCases) {
  test(`issue 19 flags: ${what}`, () => {
    const { config, problems } = parseNodeCidrFlags(cidr, mask);
    assert.deepEqual(problems, problem ? [problem] : []);
    if (!problem) assert.deepEqual(config, { clusterCidr: parseIpv4Cidr(cidr), nodeCidrMaskSize: Number(mask) });
  });
}
