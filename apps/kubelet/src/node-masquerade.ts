// Masquerade for pods leaving the cluster (flannel's --ip-masq, reduced to what pod traffic needs): in the agent's
// network namespace, an nftables table of this agent's own — `ip podling-<node name>`, so several agents on one
// machine never touch each other's — with one nat rule: packets from this node's pod range to anywhere outside the
// cluster range (and not multicast) leave with the node's address, and loopback traffic is not tracked
// (loopback-notrack.ts). Pod-to-pod traffic, on this node or another,
// keeps the pod's IP. The table is replaced in one `nft -f` transaction (declare, delete, re-create), so applying
// is idempotent — after a crash the next agent simply applies it again.
import { LOOPBACK_NOTRACK, loopbackNotrackScript, removeTable } from './loopback-notrack.ts';
import { runCommand, type RunCommand } from './run-command.ts';

export class NodeMasquerade {
  readonly table: string;

  constructor(nodeName: string, private readonly run: RunCommand = runCommand) {
    this.table = `podling-${nodeName}`;
  }

  /** Installs (or replaces) the rule for `podCIDR`, excepting `clusterCIDR`. */
  async apply(podCIDR: string, clusterCIDR: string): Promise<void> {
    const t = `ip ${this.table}`;
    await this.run('nft', ['-f', '-'], loopbackNotrackScript(this.table));
    await this.run('nft', ['-f', '-'], [
      `table ${t}`,
      `delete table ${t}`,
      `table ${t} {`,
      // Numeric priority 100 (= srcnat): nft 1.0.6 refuses some priority keywords on some hooks.
      '  chain postrouting {',
      '    type nat hook postrouting priority 100; policy accept;',
      // The node's own range is exempt too, even when it lies outside the cluster range (an agent's --pod-cidr may):
      // with br_netfilter, bridged pod-to-pod frames on this node pass this hook as well.
    `    ip saddr ${podCIDR} ip daddr != { ${[...new Set([clusterCIDR, podCIDR])].join(', ')}, 224.0.0.0/4 } masquerade comment "podling: pods leaving the cluster range"`,
      '  }',
      `  chain ${LOOPBACK_NOTRACK.name} {`,
      `    ${LOOPBACK_NOTRACK.hook}`,
      `    ${LOOPBACK_NOTRACK.rule}`,
      '  }',
      '}',
      '',
    ].join('\n'));
  }

  /** Removes the table; one already gone is fine. */
  async remove(): Promise<void> {
    await removeTable(this.run, this.table);
  }
}
