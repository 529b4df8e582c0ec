// The node IPAM controller's range allocator (k/k pkg/controller/nodeipam/ipam/range_allocator.go): every Node
// without spec.podCIDRs gets the next free block of `--cluster-cidr` (a /`--node-cidr-mask-size`), written to
// spec.podCIDR and spec.podCIDRs by one PATCH. Nothing is persisted but the Nodes themselves: the informer's first
// list marks every block that existing Nodes hold before any worker runs, so a restarted (or newly elected)
// controller never hands out a block twice; a Node's delete event frees its block. API validation keeps a
// podCIDR fixed once set, so a PATCH racing another writer fails instead of moving a node's range.
// A full range: a `CIDRNotAvailable` event on the Node (Kubernetes' recordNodeStatusChange) and a retry with
// back-off, plus a fresh try for every waiting Node whenever a Node goes away.
import { formatCidr, isStatusError, type Ipv4Cidr, type Node } from '@podling/api';
import { EventRecorder, type Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { CidrSet } from './cidr-set.ts';
import { QueueController } from './queue-controller.ts';
import type { SharedInformer, SharedInformers } from './shared-informers.ts';

export interface NodeIpamOptions {
  client: KubeClientApi;
  logger: Logger;
  informers: SharedInformers;
  clusterCidr: Ipv4Cidr;
  nodeCidrMaskSize: number;
}

const podCIDRsOf = (n: Node): string[] => n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : []);

export class NodeIpamController extends QueueController {
  protected readonly log: Logger;
  /** Kubernetes' range allocator records as `cidrAllocator`. */
  protected readonly events: EventRecorder;
  protected readonly informers: SharedInformer<Node>[];
  readonly cidrs: CidrSet;
  private readonly nodes: Informer<Node>;
  /** Blocks this controller patched onto a Node that its informer has not shown back yet. */
  private readonly assigned = new Map<string, string>();

  constructor(private readonly opts: NodeIpamOptions) {
    super('nodeipam', 1);
    this.log = opts.logger.child({ controller: 'nodeipam' });
    this.events = new EventRecorder(opts.client, { component: 'cidrAllocator', logger: this.log });
    this.cidrs = new CidrSet(opts.clusterCidr, opts.nodeCidrMaskSize);
    const nodes = opts.informers.get<Node>('nodes');
    this.informers = [nodes];
    this.nodes = nodes.informer
      .on('add', (n) => this.observe(n))
      .on('update', (_old, n) => this.observe(n))
      .on('delete', (n) => this.forget(n));
  }

  private observe(node: Node): void {
    const name = node.metadata.name!;
    const held = podCIDRsOf(node);
    if (!held.length) { this.queue.add(name); return; }
    for (const c of held) this.cidrs.occupy(c);
    const mine = this.assigned.get(name);
    // Someone else's value won the race (validation refused ours): give our block back.
    if (mine && !held.includes(mine)) this.cidrs.release(mine);
    this.assigned.delete(name);
  }

  private forget(node: Node): void {
    const name = node.metadata.name!;
    for (const c of podCIDRsOf(node)) this.cidrs.release(c);
    const mine = this.assigned.get(name);
    if (mine) this.cidrs.release(mine);
    this.assigned.delete(name);
    for (const n of this.nodes.list()) if (!podCIDRsOf(n).length) this.queue.add(n.metadata.name!);
  }

  protected async sync(name: string): Promise<void> {
    const node = this.nodes.get('', name);
    if (!node || podCIDRsOf(node).length || node.metadata.deletionTimestamp || this.assigned.has(name)) return;
    const cidr = this.cidrs.allocateNext();
    if (!cidr) {
      await this.events.record(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      throw new Error(`no free /${this.opts.nodeCidrMaskSize} left in cluster CIDR ${formatCidr(this.opts.clusterCidr)} for node ${name}`);
    }
    this.assigned.set(name, cidr);
    try {
      await this.opts.client.patch<Node>({ resource: 'nodes' }, name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'merge');
      this.log.info({ node: name, podCIDR: cidr }, 'assigned pod CIDR');
    } catch (err) {
      if (this.assigned.get(name) === cidr) { this.assigned.delete(name); this.cidrs.release(cidr); }
      // Gone, or given a range meanwhile (422: podCIDR is set once): the informer will tell; nothing to retry.
      if (isStatusError(err) && (err.code === 404 || err.code === 422)) return;
      throw err;
    }
  }
}
