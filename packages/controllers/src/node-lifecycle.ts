// Node lifecycle and taint-based eviction (kube-controller-manager's nodelifecycle + taint-eviction controllers),
// as an API client. Every `periodMs` it judges each node by our own observation clock (node-health.ts):
//   silent for > gracePeriodMs → conditions Unknown; Ready Unknown/False → unreachable/not-ready taints (NoSchedule
//   and NoExecute), pods marked Ready=False; Ready True again → taints removed.
// Pods on a node with a NoExecute taint are deleted gracefully once their toleration runs out (evictionTime), with
// a TaintManagerEviction event. A zone with no Ready node is in full disruption: no NoExecute taints, no evictions
// (the controller assumes it lost the nodes, not they their pods). Each write carries the resourceVersion it was computed from, so a kubelet that
// comes back in between wins and we recompute on the next pass. Eviction granularity is one period.
import { isStatusError, type KubeObject, type Node, type Pod, rfc3339 } from '@podling/api';
import { EventRecorder, type Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { SharedInformers, type SharedInformer } from './shared-informers.ts';
import {
  evictionTime, fullyDisruptedZones, isStale, notReadyPodConditions, observe, reconcileTaints, unknownConditions, zoneOf,
  type Observation,
} from './node-health.ts';

/** coordination.k8s.io/v1 Lease, as far as we read it: kubelets renew theirs in kube-node-lease. */
interface Lease extends KubeObject { spec?: { holderIdentity?: string; renewTime?: string } }

export interface NodeLifecycleOptions {
  client: KubeClientApi;
  logger: Logger;
  gracePeriodMs: number;
  periodMs: number;
  podEvictionTimeoutMs: number;
  now?: () => number;
  /** Informers shared with the other controllers of the process; its own when absent. */
  informers?: SharedInformers;
}

export class NodeLifecycleController {
  private readonly log: Logger;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly leases: Informer<Lease>;
  private readonly shared: SharedInformer<Node | Pod | Lease>[];
  private readonly events: EventRecorder;
  private readonly health = new Map<string, Observation>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private stopped = false;
  /** Zones in full disruption at the last pass. */
  private disrupted = new Set<string>();

  constructor(private readonly opts: NodeLifecycleOptions) {
    this.log = opts.logger.child({ controller: 'nodelifecycle' });
    this.now = opts.now ?? Date.now;
    this.events = new EventRecorder(opts.client, { component: 'node-controller', logger: this.log });
    // Observe on every change, not only per pass, so `probeAt` is when the heartbeat really arrived.
    const seen = (name: string) => {
      const node = this.nodes.get('', name);
      if (node) this.health.set(name, observe(this.health.get(name), node, this.now(), this.leaseRenewTime(name)));
    };
    const informers = opts.informers ?? new SharedInformers(opts.client, this.log);
    const nodes = informers.get<Node>('nodes');
    const leases = informers.get<Lease>('leases', 'kube-node-lease');
    const pods = informers.get<Pod>('pods');
    this.shared = [nodes, pods, leases] as SharedInformer<Node | Pod | Lease>[];
    this.nodes = nodes.informer
      .on('add', (n) => seen(n.metadata.name!)).on('update', (_old, n) => seen(n.metadata.name!))
      .on('delete', (n) => { this.health.delete(n.metadata.name!); });
    this.leases = leases.informer.on('add', (l) => seen(l.metadata.name!)).on('update', (_old, l) => seen(l.metadata.name!));
    this.pods = pods.informer;
  }

  async start(): Promise<void> {
    await Promise.all(this.shared.map((i) => i.start()));
    if (this.stopped) return;
    this.timer = setInterval(() => {
      this.pass ??= this.monitor().catch((err) => this.log.error({ err }, 'node monitor pass failed')).finally(() => { this.pass = undefined; });
    }, this.opts.periodMs);
    this.log.info({ gracePeriodMs: this.opts.gracePeriodMs, periodMs: this.opts.periodMs }, 'node lifecycle controller started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.shared.map((i) => i.stop()));
    await this.pass;
    await this.events.flush();
  }

  /** One pass over all nodes; a node's failure is logged and retried next pass without stopping the others. */
  async monitor(): Promise<void> {
    const podsByNode = new Map<string, Pod[]>();
    for (const p of this.pods.list()) {
      if (!p.spec.nodeName) continue;
      const l = podsByNode.get(p.spec.nodeName);
      if (l) l.push(p); else podsByNode.set(p.spec.nodeName, [p]);
    }
    const nodes: Node[] = [];
    for (const node of this.nodes.list()) {
      if (this.stopped) return;
      const current = await this.guarded(node, () => this.markIfSilent(node));
      if (current) nodes.push(current);
    }
    const disrupted = this.trackDisruption(nodes);
    for (const node of nodes) {
      if (this.stopped) return;
      await this.guarded(node, () => this.reconcileNode(node, podsByNode.get(node.metadata.name!) ?? [], !disrupted.has(zoneOf(node))));
    }
  }

  /** Runs one node's step; a conflict or a vanished node waits for the next pass, other errors are logged. */
  private async guarded<T>(node: Node, step: () => Promise<T>): Promise<T | undefined> {
    try {
      return await step();
    } catch (err) {
      if (isStatusError(err) && (err.code === 409 || err.code === 404)) return undefined; // changed under us: next pass
      this.log.warn({ err, node: node.metadata.name }, 'could not update node');
      return undefined;
    }
  }

  /**
   * Logs zones entering and leaving full disruption; on leaving, every node of the zone gets a fresh grace period
   * from now, as k/k does, so nodes that were cut off with the controller are not judged by the outage.
   */
  private trackDisruption(nodes: Node[]): Set<string> {
    const now = this.disrupted;
    const next = fullyDisruptedZones(nodes);
    for (const z of next) if (!now.has(z)) this.log.warn({ zone: z }, 'zone in full disruption: no NoExecute taints, no evictions');
    for (const z of now) {
      if (next.has(z)) continue;
      this.log.info({ zone: z }, 'zone left full disruption');
      for (const n of nodes) {
        const obs = this.health.get(n.metadata.name!);
        if (zoneOf(n) === z && obs) this.health.set(n.metadata.name!, { ...obs, probeAt: this.now() });
      }
    }
    this.disrupted = next;
    return next;
  }

  /** The node, with its kubelet's conditions set Unknown first when it has been silent past the grace period. */
  private async markIfSilent(node: Node): Promise<Node> {
    const name = node.metadata.name!;
    const now = this.now();
    const obs = observe(this.health.get(name), node, now, this.leaseRenewTime(name));
    this.health.set(name, obs);
    if (!isStale(obs, now, this.opts.gracePeriodMs)) return node;
    const conditions = unknownConditions(node, now);
    if (!conditions) return node;
    this.log.warn({ node: name, silentForMs: now - obs.probeAt }, 'node stopped posting status; marking Unknown');
    const current = await this.opts.client.patchStatus<Node>({ resource: 'nodes' }, name,
      { metadata: { resourceVersion: node.metadata.resourceVersion }, status: { conditions } });
    void this.events.record({ ...current, kind: 'Node' }, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    return current;
  }

  /** Taints, pods' readiness and evictions for one node; `evictable` is false while its zone is fully disrupted. */
  private async reconcileNode(node: Node, pods: Pod[], evictable: boolean): Promise<void> {
    const name = node.metadata.name!;
    const now = this.now();
    let current = node;
    const taints = reconcileTaints(current, now, evictable);
    if (taints) {
      this.log.info({ node: name, taints: taints.map((t) => `${t.key}:${t.effect}`) }, 'updating node taints');
      current = await this.opts.client.patch<Node>({ resource: 'nodes' }, name,
        { metadata: { resourceVersion: current.metadata.resourceVersion }, spec: { taints } });
    }
    const ready = current.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    if (ready !== 'True') for (const pod of pods) await this.markPodNotReady(pod, now);
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp || !evictable) continue;
      if (now >= evictionTime(pod, current, now, this.opts.podEvictionTimeoutMs)) await this.evict(pod, name);
    }
  }

  private leaseRenewTime(nodeName: string): string {
    return this.leases.get('kube-node-lease', nodeName)?.spec?.renewTime ?? '';
  }

  private async markPodNotReady(pod: Pod, now: number): Promise<void> {
    const conditions = notReadyPodConditions(pod, now);
    if (!conditions) return;
    try {
      await this.opts.client.patchStatus({ resource: 'pods', namespace: pod.metadata.namespace }, pod.metadata.name!,
        { metadata: { resourceVersion: pod.metadata.resourceVersion }, status: { conditions } });
    } catch (err) {
      if (!isStatusError(err) || (err.code !== 409 && err.code !== 404)) throw err;
    }
  }

  /** Graceful DELETE (the pod's own grace period), with the DisruptionTarget condition first as kube does. */
  private async evict(pod: Pod, nodeName: string): Promise<void> {
    const ref = { resource: 'pods', namespace: pod.metadata.namespace };
    const name = pod.metadata.name!;
    this.log.info({ pod: `${pod.metadata.namespace}/${name}`, node: nodeName }, 'evicting pod from tainted node');
    const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), {
      type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: rfc3339(this.now()),
    }];
    try {
      await this.opts.client.patchStatus(ref, name, { status: { conditions } });
    } catch (err) {
      this.log.debug({ err, pod: name }, 'could not add DisruptionTarget condition');
    }
    try {
      await this.opts.client.delete(ref, name, { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (isStatusError(err) && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
    void this.events.record({ ...pod, kind: 'Pod' }, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${name}`);
  }
}
