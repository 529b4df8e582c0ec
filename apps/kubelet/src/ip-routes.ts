// Podling's routes in the agent's network namespace, through iproute2's JSON output. Every route the agent adds
// carries `proto 147` (a routing-protocol number no entry of iproute2's rt_protos uses), so listing and cleanup only
// ever see the agent's own routes — never the host's, DHCP's or another routing daemon's. Shown by
// `ip route show proto 147`.
import { runCommand, type RunCommand } from './run-command.ts';

export const PODLING_ROUTE_PROTO = 147;

/** A route to a pod range through a gateway: `ip route replace <dst> via <via> proto 147`. */
export interface HostRoute { dst: string; via: string }

/** An IPv4 address of an interface of this network namespace, with its on-link prefix length. */
export interface LocalAddress { address: string; prefixlen: number }

export class IpRoutes {
  constructor(private readonly run: RunCommand = runCommand) {}

  async list(): Promise<HostRoute[]> {
    const out = await this.run('ip', ['-j', '-4', 'route', 'show', 'table', 'main', 'proto', String(PODLING_ROUTE_PROTO)]);
    const rows = JSON.parse(out || '[]') as { dst: string; gateway?: string }[];
    return rows.filter((r) => r.gateway).map((r) => ({ dst: r.dst, via: r.gateway! }));
  }

  async replace(r: HostRoute): Promise<void> {
    await this.run('ip', ['-4', 'route', 'replace', r.dst, 'via', r.via, 'proto', String(PODLING_ROUTE_PROTO)]);
  }

  /** Removes our route to `dst`; one already gone is fine. */
  async remove(dst: string): Promise<void> {
    try {
      await this.run('ip', ['-4', 'route', 'del', dst, 'proto', String(PODLING_ROUTE_PROTO)]);
    } catch (err) {
      if (!/No such process|No such file/.test((err as Error).message)) throw err;
    }
  }

  async localAddresses(): Promise<LocalAddress[]> {
    const out = await this.run('ip', ['-j', '-4', 'addr', 'show']);
    const links = JSON.parse(out || '[]') as { addr_info?: { family: string; local: string; prefixlen: number }[] }[];
    return links.flatMap((l) => (l.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => ({ address: a.local, prefixlen: a.prefixlen })));
  }
}
