// Issue 19, without root: the node's IP allocations (records of one file, kept across an agent restart, round robin,
// released with the pod) and the host-network fallback's message when the node cannot make sandboxes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Pod } from '@podling/api';
import { makeTempDir } from '@podling/testkit';
import { IpAllocator } from '../src/ip-allocator.ts';
import { PodCidr } from '../src/pod-cidr.ts';
import { PodCidrSource } from '../src/pod-cidr-source.ts';
import { PodPaths } from '../src/pod-paths.ts';
import { PodSandboxNetwork } from '../src/pod-sandbox-network.ts';

test('issue 19: IPs come from the range after the gateway, survive a restart of the allocator and are never handed out twice', (t) => {
  const tmp = makeTempDir('podling-ipam-');
  t.after(() => tmp.remove());
  const cidr = PodCidr.parse('10.250.7.0/29'); // .1 gateway, .2-.6 for pods, .7 broadcast
  assert.equal(cidr.gateway, '10.250.7.1');
  const a = new IpAllocator(tmp.dir);
  assert.equal(a.allocate('pod-a', cidr), '10.250.7.2');
  assert.equal(a.allocate('pod-a', cidr), '10.250.7.2', 'a pod keeps its IP');
  assert.equal(a.allocate('pod-b', cidr), '10.250.7.3');
  const restarted = new IpAllocator(tmp.dir);
  assert.equal(restarted.find('pod-b'), '10.250.7.3');
  assert.equal(restarted.allocate('pod-c', cidr), '10.250.7.4', 'round robin from the last one, on disk');
  assert.equal(readFileSync(path.join(tmp.dir, 'ipam', 'last_reserved_ip'), 'utf8').trim(), '10.250.7.4', 'rewritten in place');
  restarted.release('pod-a');
  assert.deepEqual(readdirSync(path.join(tmp.dir, 'ipam')).sort(), ['allocations', 'last_reserved_ip'], 'no file per IP');
  assert.deepEqual(records(tmp.dir), ['10.250.7.3 pod-b', '10.250.7.4 pod-c'], 'pod-a\'s record freed in place');
  assert.equal(new IpAllocator(tmp.dir).find('pod-a'), undefined, 'released on disk');
  assert.equal(restarted.allocate('pod-d', cidr), '10.250.7.5');
  assert.equal(readFileSync(path.join(tmp.dir, 'ipam', 'allocations')).length, 3 * 256, 'the freed record is reused, not appended');
  assert.equal(restarted.allocate('pod-e', cidr), '10.250.7.6');
  assert.equal(restarted.allocate('pod-f', cidr), '10.250.7.2', 'a released IP comes back after the others');
  assert.throws(() => restarted.allocate('pod-g', cidr), /no free IP address in the node's pod range 10\.250\.7\.0\/29/);
  assert.deepEqual([...restarted.holders()].sort(), ['pod-b', 'pod-c', 'pod-d', 'pod-e', 'pod-f']);
});

test('issue 19: an older agent\'s one file per IP is taken over on load; an empty one (killed before its write) frees that IP', (t) => {
  const tmp = makeTempDir('podling-ipam-');
  t.after(() => tmp.remove());
  const cidr = PodCidr.parse('10.250.7.0/29');
  new IpAllocator(tmp.dir);
  writeFileSync(path.join(tmp.dir, 'ipam', '10.250.7.2'), '');
  writeFileSync(path.join(tmp.dir, 'ipam', '10.250.7.3'), 'pod-old\n');
  const restarted = new IpAllocator(tmp.dir);
  assert.deepEqual([...restarted.holders()], ['pod-old']);
  assert.equal(restarted.find('pod-old'), '10.250.7.3');
  assert.deepEqual(readdirSync(path.join(tmp.dir, 'ipam')), ['allocations'], 'the per-IP files are gone');
  assert.equal(restarted.allocate('pod-a', cidr), '10.250.7.2', 'the empty file\'s IP was never handed out');
  assert.deepEqual(records(tmp.dir), ['10.250.7.3 pod-old', '10.250.7.2 pod-a']);
});

function records(root: string): string[] {
  const text = readFileSync(path.join(root, 'ipam', 'allocations'), 'latin1');
  return Array.from({ length: text.length / 256 }, (_, i) => text.slice(i * 256, (i + 1) * 256).trim()).filter(Boolean);
}

test('issue 19: a node that cannot make sandboxes runs the pod on the host network and says why', async (t) => {
  const tmp = makeTempDir('podling-ipam-');
  t.after(() => tmp.remove());
  const pod = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [] } } as unknown as Pod;
  const cidr = new PodCidrSource('10.250.8.0/24', () => Promise.reject(new Error('unused')), console as never);
  const net = new PodSandboxNetwork('u1', new PodPaths(tmp.dir, 'u1'), { network: { unavailable: 'the agent runs as uid 1000, and only root can make network and IPC namespaces' }, cidr, nodeIP: '192.0.2.9' });
  const s = await net.ensure(pod, false);
  assert.equal(s.kind, 'ready');
  assert.equal(net.podIP, '192.0.2.9');
  assert.equal(net.sandbox, undefined);
  assert.equal(net.fallback, 'the pod runs on the host\'s network and IPC (no network or IPC namespace of its own, podIP is the node\'s): the agent runs as uid 1000, and only root can make network and IPC namespaces');
  assert.throws(() => PodCidr.parse('10.250.0.0/31'), /the prefix must be between \/8 and \/30/);
  assert.throws(() => PodCidr.parse('fd00::/64'), /is not an IPv4 CIDR/);
});
