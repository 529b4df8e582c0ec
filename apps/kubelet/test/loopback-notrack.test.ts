// Podling's nftables tables turn connection tracking on for the host's network namespace, but loopback traffic stays
// untracked (loopback-notrack.ts): no conntrack entry is made for it, so none can outlive the tables when an agent
// stops (an ESTABLISHED entry that sees no more packets lasts 5 days).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { waitFor } from '@podling/testkit';
import { NodeMasquerade } from '../src/node-masquerade.ts';
import { ProxyTable } from '../src/proxy-table.ts';
import { runCommand } from '../src/run-command.ts';
import { startAgentCluster } from './cluster-fixture.ts';

const CONNTRACK = '/proc/net/nf_conntrack';
const skip = process.getuid?.() !== 0 ? 'needs root (nftables)' : !existsSync(CONNTRACK) ? `no ${CONNTRACK} in this kernel` : false;

const listTable = (name: string) => runCommand('nft', ['list', 'table', 'ip', name]).catch(() => undefined);

test('issue 20: with the agent\'s tables in place, loopback connections get no conntrack entry', { skip }, async (t) => {
  const c = await startAgentCluster(t);
  const rootDir = c.agents[0].rootDir;
  const tables = [new ProxyTable('node-a', rootDir).name, new NodeMasquerade('node-a').table];
  for (const name of tables) {
    // Waits for the rule, not the table: the proxy's table can be listed empty before its first full sync.
    await waitFor(async () => /ip daddr 127\.0\.0\.0\/8 notrack/.test((await listTable(name)) ?? ''), { timeoutMs: 20_000, message: `${name} exempts loopback traffic` });
  }
  // A connection opened once both tables are in place: without the exemption conntrack tracks it from its first
  // packet, and its entry outlives it (TIME_WAIT). (Connections already open, like the agent's, can have an entry
  // from a packet that crossed the instant a table was being loaded: one direction only, gone after 5 minutes.)
  const port = Number(new URL(c.api.url).port);
  let localPort = 0;
  await new Promise<void>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => { localPort = s.localPort!; s.end(`GET /api/v1/namespaces HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`); });
    let answer = '';
    s.setEncoding('utf8').on('data', (d) => { answer += d; }).on('error', reject)
      .on('close', () => (answer.startsWith('HTTP/1.1 200') ? resolve() : reject(new Error(`unexpected answer: ${answer.slice(0, 200)}`))));
  });
  assert.ok(localPort > 0);
  const tracked = readFileSync(CONNTRACK, 'utf8').split('\n').filter((l) => l.includes(`sport=${localPort} dport=${port} `));
  assert.deepEqual(tracked, [], 'no conntrack entry for a connection to the apiserver on loopback');
});
