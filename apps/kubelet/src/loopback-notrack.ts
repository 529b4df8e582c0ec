// A nat chain turns connection tracking on for its whole network namespace, so with Podling's tables in place every
// loopback connection — the agent's and the apiserver's own, a user's — got a conntrack entry. Podling never
// translates loopback traffic (NodePorts do not answer on 127.0.0.0/8, as in kube-proxy's nftables mode), and the
// entries of connections still open when the last table went (an agent stopping removes its tables) were never
// updated again: they stayed ESTABLISHED for nf_conntrack_tcp_timeout_established, 5 days — over 50,000 after a day
// of test runs here, each walked by every netns or veth teardown (nf_nat_masquerade's cleanup work scans the whole
// table). So each of Podling's tables exempts that traffic from tracking, before conntrack sees it (raw priority,
// -300; what `iptables -t raw -j NOTRACK` did). Replies on `lo` keep the untracked state the output hook gave them.
//
// Conntrack's hooks come and go with the nat chains, not with their transactions, and so leave two moments in which
// conntrack is on with no notrack rule in force: when a table is made, its nat chain is hooked while the transaction
// is still being prepared, and the transaction's rules only apply when it commits; and when a table is deleted, its
// notrack chain is unhooked at the commit, but the nat chains are destroyed (and conntrack's hooks put) only after an
// RCU grace period. Loopback connections made in either moment were tracked and then never seen again: tests start
// and stop many agents while others' connections run (a loop of short connections with 100 tables made and deleted
// left 58 such entries; with both steps below, none). So a new table gets the chain in a transaction of its own first
// (loopbackNotrackScript), and a table is removed in two (removeTable): first it is replaced by the chain alone,
// then deleted, once its nat chains are gone. nft(8), NOTRACK STATEMENT.

import type { RunCommand } from './run-command.ts';

/** The chain, as a member of a table's body: `chain <name> { <hook> <rule> }`. */
export const LOOPBACK_NOTRACK = {
  name: 'loopback-notrack',
  hook: 'type filter hook output priority -300 ; policy accept ;',
  rule: 'ip daddr 127.0.0.0/8 notrack',
} as const;

/**
 * An `nft -f` script that gives `ip <table>` the chain with its one rule (idempotent), keeping what else the table
 * holds — or, with `only`, nothing else.
 */
export function loopbackNotrackScript(table: string, only = false): string {
  const t = `ip ${table}`;
  const c = LOOPBACK_NOTRACK;
  return [`add table ${t}`, ...(only ? [`delete table ${t}`, `add table ${t}`] : []),
    `add chain ${t} ${c.name} { ${c.hook} }`, `flush chain ${t} ${c.name}`, `add rule ${t} ${c.name} ${c.rule}`, ''].join('\n');
}

/** Removes `ip <table>` (one already gone is fine): first all but the chain, then the rest. */
export async function removeTable(run: RunCommand, table: string): Promise<void> {
  await run('nft', ['-f', '-'], loopbackNotrackScript(table, true));
  try {
    await run('nft', ['delete', 'table', 'ip', table]);
  } catch (err) {
    if (!/No such file or directory/.test((err as Error).message)) throw err;
  }
}
