// A nat chain turns connection tracking on for its whole network namespace, so with Podling's tables in place every
// loopback connection — the agent's and the apiserver's own, a user's — got a conntrack entry. Podling never
// translates loopback traffic (NodePorts do not answer on 127.0.0.0/8, as in kube-proxy's nftables mode), and the
// entries of connections still open when the last table went (an agent stopping removes its tables) were never
// updated again: they stayed ESTABLISHED for nf_conntrack_tcp_timeout_established, 5 days — over 50,000 after a day
// of test runs here, each walked by every netns or veth teardown (nf_nat_masquerade's cleanup work scans the whole
// table). So each of Podling's tables exempts that traffic from tracking, before conntrack sees it (raw priority,
// -300; what `iptables -t raw -j NOTRACK` did). Replies on `lo` keep the untracked state the output hook gave them.
// A table that is new gets the chain in a transaction of its own first (loopbackNotrackScript): conntrack is switched
// on as soon as a nat chain is hooked, while its transaction is still being prepared, and a rule of that transaction
// only applies once it commits — loopback connections made in that moment (tests start many agents, each making its
// tables while others' connections run) were tracked from their first packet and never saw their end tracked.
// nft(8), NOTRACK STATEMENT.

/** The chain, as a member of a table's body: `chain <name> { <hook> <rule> }`. */
export const LOOPBACK_NOTRACK = {
  name: 'loopback-notrack',
  hook: 'type filter hook output priority -300 ; policy accept ;',
  rule: 'ip daddr 127.0.0.0/8 notrack',
} as const;

/** An `nft -f` script that gives `ip <table>` the chain and its one rule, and nothing else (idempotent). */
export function loopbackNotrackScript(table: string): string {
  const t = `ip ${table}`;
  const c = LOOPBACK_NOTRACK;
  return [`add table ${t}`, `add chain ${t} ${c.name} { ${c.hook} }`, `flush chain ${t} ${c.name}`, `add rule ${t} ${c.name} ${c.rule}`, ''].join('\n');
}
