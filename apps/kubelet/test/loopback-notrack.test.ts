// Podling's nftables tables turn connection tracking on for the host's network namespace, but loopback traffic stays
// untracked (loopback-notrack.ts): no conntrack entry is made for it, so none can outlive the tables when an agent
// stops (an ESTABLISHED entry that sees no more packets lasts 5 days).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { waitFor } from '@podling/testkit';
import { NodeMasquerade } from '../src/node-masquerade.ts';
import { ProxyTable } from '../src/proxy-table.ts';
import { runCommand } from '../src/run-command.ts';
import { startCluster } from './cluster-fixture.ts';

const CONNTRACK = '/proc/net/nf_conntrack';
const skip = process.getuid?.() !== 0 ? 'needs root (nftables)' : !existsSync(CONNTRACK) ? `no ${CONNTRACK} in this kernel` : false;

const listTable = (name: string) => runCommand('nft', ['list', 'table', 'ip', name]).catch(() => undefined);

test('issue 20: with the agent\'s tables in place, loopback connections get no conntrack entry', { skip }, async (t) => {
  const c = await startCluster(t);
  const rootDir = c.agents[0].rootDir;
  const tables = [new ProxyTable('node-a', rootDir).name, new NodeMasquerade('node-a').table];
  for (const name of tables) {
    const text = await waitFor(() => listTable(name), { timeoutMs: 20_000, message: `nft table ${name}` });
    assert.match(text, /ip daddr 127\.0\.0\.0\/8 notrack/, `${name} exempts loopback traffic`);
  }
  // A connection opened while both tables are in place (conntrack would track it from its first packet), and the
  // agent's own ones, which send a heartbeat every second.
  const port = new URL(c.api.url).port;
  const fresh = await fetch(`${c.api.url}/api/v1/namespaces`, { headers: { connection: 'close' } });
  assert.equal(fresh.status, 200);
  await c.client.list({ resource: 'nodes' });
  const tracked = readFileSync(CONNTRACK, 'utf8').split('\n')
    .filter((l) => / tcp /.test(l) && l.includes('dst=127.0.0.1') && (l.includes(`dport=${port} `) || l.includes(`sport=${port} `)));
  assert.deepEqual(tracked, [], 'no conntrack entry for a connection to the apiserver on loopback');
});
