// Issue 19: the agent's host-gw routes and masquerade, inside a network namespace this test makes (nothing touches
// the host's tables). A real apiserver holds the Nodes; the component under test watches them and keeps
// `ip route show proto 147` equal to one route per other node whose InternalIP is on-link and not this namespace's
// own, leaves other routes alone, converges from what a killed agent left, and removes all of it on stop().
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import { parseIpv4Cidr, type Node } from '@podling/api';
import { KubeClient } from '@podling/client';
import { makeTempDir, startApiserver, waitFor, type RunningApiserver } from '@podling/testkit';
import { NodeRoutes } from '../src/node-routes.ts';
import { runCommand, type RunCommand } from '../src/run-command.ts';

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'routes and nftables need root (run as root, as CI does)';
  try { execFileSync('nft', ['--version'], { stdio: 'ignore' }); } catch { return '`nft` (Debian package nftables) is not installed'; }
  return false;
}
const skip = skipReason();

const NS = `pl-routes-${randomBytes(3).toString('hex')}`;
const inNs: RunCommand = (bin, args, input) => runCommand('ip', ['netns', 'exec', NS, bin, ...args], input);
const sh = (...args: string[]) => execFileSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8' });
const ourRoutes = () => sh('ip', '-4', 'route', 'show', 'proto', '147').trim().split('\n').filter(Boolean).map((l) => l.replace(/\s+$/, ''));
const table = () => { try { return sh('nft', 'list', 'table', 'ip', 'podling-n1'); } catch { return undefined; } };

let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
let client: KubeClient;

const node = (name: string, podCIDR: string, ip: string): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR },
  status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
});

before(async () => {
  if (skip) return;
  execFileSync('ip', ['netns', 'add', NS]);
  // This "host": 192.168.77.11/24 and .13 on a veth whose peer stays inside, so the /24 is on-link.
  sh('ip', 'link', 'add', 'e0', 'type', 'veth', 'peer', 'name', 'e1');
  sh('ip', 'addr', 'add', '192.168.77.11/24', 'dev', 'e0');
  sh('ip', 'addr', 'add', '192.168.77.13/24', 'dev', 'e1');
  for (const l of ['lo', 'e0', 'e1']) sh('ip', 'link', 'set', l, 'up');
  sh('ip', 'route', 'add', '10.244.9.0/24', 'via', '192.168.77.14', 'proto', 'static'); // someone else's
  sh('ip', 'route', 'add', '10.244.8.0/24', 'via', '192.168.77.15', 'proto', '147'); // left by a killed agent
  sh('nft', 'add', 'table', 'ip', 'podling-n1'); // likewise, half-made
  tmp = makeTempDir();
  srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db'), args: ['--controllers', 'none'] });
  client = new KubeClient({ server: srv.url });
  for (const n of [
    node('n1', '10.244.1.0/24', '192.168.77.11'), // this node
    node('n2', '10.244.2.0/24', '192.168.77.12'), // a neighbour: routed
    node('n3', '10.244.3.0/24', '10.9.9.9'), // not on-link: no route
    node('n4', '10.244.4.0/24', '192.168.77.13'), // an address of this host (another agent here): no route
  ]) await client.create({ resource: 'nodes' }, n);
});

after(async () => {
  await srv?.stop();
  tmp?.remove();
  if (!skip) execFileSync('ip', ['netns', 'del', NS]);
});

test('issue 19: routes to on-link neighbours\' pod ranges, masquerade to outside the cluster range, all gone on stop', { skip }, async () => {
  const routes = new NodeRoutes({ client, nodeName: 'n1', clusterCidr: parseIpv4Cidr('10.244.0.0/16')!, log: pino({ level: 'silent' }), run: inNs, resyncMs: 200 });
  await routes.start();
  try {
    assert.deepEqual(ourRoutes(), ['10.244.2.0/24 via 192.168.77.12 dev e0']);
    assert.match(table() ?? '', /ip saddr 10\.244\.1\.0\/24 ip daddr != \{ 10\.244\.0\.0\/16, 224\.0\.0\.0\/4 \} masquerade/);
    assert.match(table() ?? '', /type nat hook postrouting priority srcnat; policy accept;/);
    assert.equal(sh('sysctl', '-n', 'net.ipv4.ip_forward').trim(), '1');

    await client.create({ resource: 'nodes' }, node('n5', '10.244.5.0/24', '192.168.77.15'));
    await waitFor(() => ourRoutes().length === 2, { timeoutMs: 5000, message: 'a route to the new node n5' });
    assert.deepEqual(ourRoutes(), ['10.244.2.0/24 via 192.168.77.12 dev e0', '10.244.5.0/24 via 192.168.77.15 dev e0']);
    await client.delete({ resource: 'nodes' }, 'n2');
    await waitFor(() => ourRoutes().length === 1, { timeoutMs: 5000, message: 'the route of the deleted node n2 removed' });
    assert.deepEqual(ourRoutes(), ['10.244.5.0/24 via 192.168.77.15 dev e0']);
    sh('ip', 'route', 'del', '10.244.5.0/24', 'proto', '147'); // someone removes ours: the resync puts it back
    await waitFor(() => ourRoutes().length === 1, { timeoutMs: 5000, message: 'the route re-added by the resync' });
  } finally {
    await routes.stop();
  }
  assert.deepEqual(ourRoutes(), []);
  assert.equal(table(), undefined);
  assert.match(sh('ip', 'route', 'show', '10.244.9.0/24'), /via 192\.168\.77\.14/, 'a route that is not Podling\'s stays');
});
