// Cross-node pod routing, flannel's host-gw backend (pkg/backend/hostgw, route_network.go) driven by a Node watch:
// for every other Node with a spec.podCIDR, a route `<podCIDR> via <its InternalIP> proto 147` — but only when that
// address is on a network this namespace is directly connected to (host-gw needs L2 adjacency: the gateway must
// be on-link) and is not one of this namespace's own addresses (several agents sharing one host reach each other's
// pods through their own bridges, not through a route). Routes of Nodes that leave, or change, are removed. Plus
// this node's masquerade table (node-masquerade.ts) and IPv4 forwarding, which routing pods' packets needs (set to
// 1 and left so, as CNI's bridge plugin does).
//
// Level-triggered: every Node event schedules one reconcile of the whole table, and a resync every 10 s (flannel's
// period) re-adds what someone else removed. start() after a kill -9 finds the old routes by their proto and
// converges; stop() removes every route and the table (the agent's clean shutdown leaves nothing).
import { cidrContains, formatCidr, parseIpv4, parseIpv4Cidr, type Ipv4Cidr, type Node } from '@podling/api';
import { Informer, type KubeClientApi } from '@podling/client';
import { IpRoutes, type HostRoute, type LocalAddress } from './ip-routes.ts';
import type { Logger } from './logger.ts';
import { NodeMasquerade } from './node-masquerade.ts';
import { runCommand, type RunCommand } from './run-command.ts';

const RESYNC_MS = 10_000;

export interface NodeRoutesOptions {
  client: KubeClientApi;
  nodeName: string;
  clusterCidr: Ipv4Cidr;
  log: Logger;
  /** This node's pod range when the agent was given one (--pod-cidr); else its Node's spec.podCIDR. */
  podCIDR?: () => string | undefined;
  /** Runs ip, nft and sysctl; tests wrap it to act inside a network namespace of their own. */
  run?: RunCommand;
  resyncMs?: number;
}

const internalIP = (n: Node) => n.status?.addresses?.find((a) => a.type === 'InternalIP' && parseIpv4(a.address) !== undefined)?.address;

/** What of a Node its routes depend on. */
const routeFacts = (n: Node) => `${n.spec?.podCIDR ?? ''} ${internalIP(n) ?? ''}`;

/** The routes this node should have: one per other Node whose pod range is reachable through an on-link, foreign address. */
export function desiredRoutes(nodes: Node[], self: string, local: LocalAddress[]): HostRoute[] {
  const routes: HostRoute[] = [];
  for (const n of nodes) {
    const cidr = n.spec?.podCIDR && parseIpv4Cidr(n.spec.podCIDR, false);
    const via = internalIP(n);
    if (n.metadata.name === self || !cidr || !via) continue;
    const ip = parseIpv4(via)!;
    if (local.some((a) => a.address === via)) continue;
    if (!local.some((a) => cidrContains(parseIpv4Cidr(`${a.address}/${a.prefixlen}`, false)!, ip))) continue;
    routes.push({ dst: formatCidr(cidr), via });
  }
  return routes;
}

export class NodeRoutes {
  private readonly run: RunCommand;
  private readonly routes: IpRoutes;
  private readonly masquerade: NodeMasquerade;
  private readonly informer: Informer<Node>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private masqueraded = '';
  private resync = false;
  private synced = false;

  constructor(private readonly opts: NodeRoutesOptions) {
    this.run = opts.run ?? runCommand;
    this.routes = new IpRoutes(this.run);
    this.masquerade = new NodeMasquerade(opts.nodeName, this.run);
    const kick = () => this.kick(false);
    // Heartbeats update every Node every few seconds; only a pod range or an address changes the routes.
    const onUpdate = (a: Node, b: Node) => { if (routeFacts(a) !== routeFacts(b)) kick(); };
    this.informer = new Informer<Node>(opts.client, { resource: 'nodes', logger: opts.log, onAdd: kick, onUpdate, onDelete: kick });
  }

  /** Resolves after the first reconcile that follows the Node list. */
  async start(): Promise<void> {
    await this.informer.start();
    this.synced = true; // the list's own add events came before the whole list was in the cache
    this.timer = setInterval(() => this.kick(true), this.opts.resyncMs ?? RESYNC_MS);
    this.kick(true);
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.informer.stop();
    await this.running;
    for (const r of await this.routes.list().catch(() => [])) await this.routes.remove(r.dst).catch((err) => this.opts.log.warn({ err, route: r }, 'could not remove route'));
    await this.masquerade.remove().catch((err) => this.opts.log.warn({ err }, 'could not remove the masquerade table'));
  }

  /** One reconcile at a time; events during one fold into a single follow-up. */
  private kick(resync: boolean): void {
    if (this.stopped || !this.synced) return;
    this.resync ||= resync;
    if (this.running) { this.again = true; return; }
    const full = this.resync;
    this.resync = false;
    this.running = this.reconcile(full)
      .catch((err) => this.opts.log.warn({ err }, 'node routes reconcile failed; retrying at the next resync'))
      .finally(() => {
        this.running = undefined;
        if (this.again) { this.again = false; this.kick(false); }
      });
  }

  /** `full`: also re-apply the masquerade table (at start and every resync), not only when the pod range changed. */
  private async reconcile(full: boolean): Promise<void> {
    const nodes = this.informer.list();
    const want = desiredRoutes(nodes, this.opts.nodeName, await this.routes.localAddresses());
    const have = await this.routes.list();
    const key = (r: HostRoute) => `${r.dst} ${r.via}`;
    const wanted = new Set(want.map(key));
    const present = new Set(have.map(key));
    for (const r of have) if (!wanted.has(key(r)) && !want.some((w) => w.dst === r.dst)) await this.routes.remove(r.dst);
    for (const r of want) if (!present.has(key(r))) await this.routes.replace(r);
    if (want.length || have.length) this.opts.log.debug({ routes: want }, 'node routes reconciled');

    const podCIDR = this.opts.podCIDR?.() ?? this.informer.get('', this.opts.nodeName)?.spec?.podCIDR;
    if (!podCIDR || (!full && podCIDR === this.masqueraded)) return;
    await this.run('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    const clusterCidr = formatCidr(this.opts.clusterCidr);
    if (this.masqueraded !== podCIDR) this.opts.log.info({ podCIDR, clusterCidr, table: this.masquerade.table }, 'masquerading pod traffic that leaves the cluster range');
    await this.masquerade.apply(podCIDR, clusterCidr);
    this.masqueraded = podCIDR;
  }
}
