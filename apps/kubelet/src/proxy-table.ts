// The agent's own nftables table for the service proxy, `ip podling-svc-<tag>`, where <tag> is the agent's identity
// (node name and root dir, sandbox-names.ts): several agents on one machine — test clusters share the host's
// network namespace — each program and remove only their own table, never one that is not Podling's or not theirs.
// Its comment says whose it is, for someone reading `nft list tables`.
import { removeTable } from './loopback-notrack.ts';
import { runCommand, type RunCommand } from './run-command.ts';
import { SandboxNames } from './sandbox-names.ts';

export class ProxyTable {
  readonly name: string;
  readonly comment: string;

  constructor(nodeName: string, rootDir: string, private readonly run: RunCommand = runCommand) {
    this.name = `podling-svc-${new SandboxNames(nodeName, rootDir).tag}`;
    this.comment = `podling service proxy of node ${nodeName} (agent root ${rootDir})`.slice(0, 127);
  }

  /** Runs one `nft -f` transaction: all of it applies, or none. */
  async apply(script: string): Promise<void> {
    await this.run('nft', ['-f', '-'], script);
  }

  /** The table as `nft list` prints it, or undefined when there is none. */
  async list(): Promise<string | undefined> {
    try {
      return await this.run('nft', ['list', 'table', 'ip', this.name]);
    } catch (err) {
      if (/No such file or directory/.test((err as Error).message)) return undefined;
      throw err;
    }
  }

  /** Removes the table; one already gone is fine. */
  async remove(): Promise<void> {
    await removeTable(this.run, this.name);
  }
}
