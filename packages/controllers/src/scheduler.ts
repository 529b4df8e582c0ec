// The default scheduler as an API client: informers on nodes and pods, one worker that takes pending pods from an
// active queue, runs the pure algorithm and binds. A pod that fits nowhere is parked with PodScheduled=False and a
// FailedScheduling event; parked pods go back to the active queue when something that could make room happens
// (a node added or changed in what it offers, an assigned pod deleted or finished) and every `retryPeriodMs`.
// Pods bound by this scheduler count against their node ("assumed", as kube-scheduler's cache does) until the
// informer shows them bound, so a burst of pods spreads instead of piling onto the node that looked emptiest.
// As in kube-scheduler, the binding cycle runs apart from the scheduling cycle: once a pod is assumed the worker
// moves on to the next pod while the Binding request is in flight (at most MAX_BINDS_IN_FLIGHT of them), so a burst
// is not held to one apiserver round trip per pod.
// What each node's pods use is kept from the pod events (node-usage.ts: assumed pods count from the moment they
// are assumed), so a decision never walks the pods, only the nodes it examines.
import { isStatusError, type Node, type Pod, type PodCondition, rfc3339 } from '@podling/api';
import { EventRecorder, type Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { SharedInformers, type SharedInformer } from './shared-informers.ts';
import { DEFAULT_SCHEDULER_NAME, isNodeReady, isTerminal, needsScheduling, schedulePod } from './scheduling-algorithm.ts';
import { NodeUsageCache } from './node-usage.ts';
import { NodeInfos } from './node-infos.ts';

export interface SchedulerOptions {
  client: KubeClientApi;
  logger: Logger;
  /** How often parked pods are retried even if nothing changed (kube flushes them within 5 min). */
  retryPeriodMs?: number;
  /** Informers shared with the other controllers of the process; its own when absent. */
  informers?: SharedInformers;
}

/** An assumed binding is forgotten after this long if the informer never confirms it (kube: 30 s ttl after bind). */
const ASSUME_TTL_MS = 30_000;

/** Binding requests the scheduler keeps in flight before its worker waits for one to finish. */
const MAX_BINDS_IN_FLIGHT = 64;

const keyOf = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;

export class Scheduler {
  private readonly log: Logger;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly shared: SharedInformer<Node | Pod>[];
  private readonly events: EventRecorder;
  private readonly active = new Set<string>();
  private readonly parked = new Set<string>();
  private readonly assumed = new Map<string, { pod: Pod; nodeName: string; at: number }>();
  private readonly usage = new NodeUsageCache();
  private readonly nodeInfos = new NodeInfos(this.usage);
  /** Where the next decision starts examining nodes (kube-scheduler's nextStartNodeIndex). */
  private nextStartNode = 0;
  private working: Promise<void> | undefined;
  private readonly binding = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.log = opts.logger.child({ controller: 'scheduler' });
    this.events = new EventRecorder(opts.client, { component: DEFAULT_SCHEDULER_NAME, logger: this.log });
    const informers = opts.informers ?? new SharedInformers(opts.client, this.log);
    const nodes = informers.get<Node>('nodes');
    const pods = informers.get<Pod>('pods');
    this.shared = [nodes, pods] as SharedInformer<Node | Pod>[];
    this.nodes = nodes.informer
      .on('add', (n) => { this.nodeInfos.set(n); this.unpark(); })
      .on('update', (old, cur) => { this.nodeInfos.set(cur); if (offersChanged(old, cur)) this.unpark(); })
      .on('delete', (n) => this.nodeInfos.delete(n));
    // A shared informer that other controllers started earlier delivered its first nodes before these handlers.
    for (const n of this.nodes.list()) this.nodeInfos.set(n);
    this.pods = pods.informer
      .on('add', (p) => { this.observe(p); this.onPod(p); })
      .on('update', (old, cur) => { this.observe(cur); this.onPodUpdate(old, cur); })
      .on('delete', (p) => {
        this.active.delete(keyOf(p));
        this.parked.delete(keyOf(p));
        this.assumed.delete(keyOf(p));
        this.usage.remove(keyOf(p));
        if (p.spec.nodeName) this.unpark();
      });
  }

  async start(): Promise<void> {
    await Promise.all(this.shared.map((i) => i.start()));
    if (this.stopped) return;
    this.timer = setInterval(() => { this.expireAssumed(); this.unpark(); }, this.opts.retryPeriodMs ?? 30_000);
    this.kick();
    this.log.info('scheduler started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.shared.map((i) => i.stop()));
    await this.working;
    await Promise.all(this.binding);
    await this.events.flush();
  }

  /** Counts a pod where the informer shows it bound; an unbound one only while this scheduler assumes it. */
  private observe(p: Pod): void {
    const k = keyOf(p);
    if (p.spec.nodeName) { this.assumed.delete(k); this.usage.set(k, p); } else if (!this.assumed.has(k)) this.usage.remove(k);
  }

  /** Forgets an assumed binding: the pod counts where the informer shows it, if anywhere. */
  private forget(k: string): void {
    this.assumed.delete(k);
    const [ns, name] = [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)];
    const cur = this.pods.get(ns, name);
    if (cur?.spec.nodeName) this.usage.set(k, cur); else this.usage.remove(k);
  }

  private expireAssumed(): void {
    const now = Date.now();
    for (const [k, a] of this.assumed) if (now - a.at > ASSUME_TTL_MS) this.forget(k);
  }

  private onPod(p: Pod): void {
    if (needsScheduling(p)) { this.active.add(keyOf(p)); this.kick(); }
  }

  private onPodUpdate(old: Pod, cur: Pod): void {
    const k = keyOf(cur);
    if (cur.spec.nodeName) {
      this.assumed.delete(k);
      this.parked.delete(k);
      if (!isTerminal(old) && isTerminal(cur)) this.unpark(); // its requests are free again
      return;
    }
    // Our own status patch comes back as an update: a parked pod only moves when what we schedule on changes.
    if (this.parked.has(k) && JSON.stringify(specAndLabels(old)) === JSON.stringify(specAndLabels(cur))) return;
    this.parked.delete(k);
    this.onPod(cur);
  }

  private unpark(): void {
    for (const k of this.parked) this.active.add(k);
    this.parked.clear();
    this.kick();
  }

  /** Starts the worker unless it is already draining the queue. */
  private kick(): void {
    if (this.working || this.stopped || !this.pods.hasSynced() || !this.nodes.hasSynced()) return;
    this.working = this.drain().finally(() => { this.working = undefined; if (this.active.size) this.kick(); });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.active.size) {
      const k = this.active.values().next().value!;
      this.active.delete(k);
      const [ns, name] = [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)];
      const pod = this.pods.get(ns, name);
      if (!pod || !needsScheduling(pod) || this.assumed.has(k)) continue;
      try {
        await this.scheduleOne(pod);
      } catch (err) {
        this.log.error({ err, pod: k }, 'scheduling attempt failed; will retry');
        this.parked.add(k);
      }
    }
  }

  private async scheduleOne(pod: Pod): Promise<void> {
    const k = keyOf(pod);
    const ref = { ...pod, kind: 'Pod', apiVersion: 'v1' } as const; // list items may omit kind
    const nodes = this.nodeInfos.all();
    const result = schedulePod(pod, nodes, this.nextStartNode % Math.max(1, nodes.length));
    this.nextStartNode = (this.nextStartNode + result.examined) % Math.max(1, nodes.length);
    if (result.nodeName === undefined) {
      this.parked.add(k);
      this.log.info({ pod: k, message: result.message }, 'pod is unschedulable');
      await this.markUnschedulable(pod, result.message);
      void this.events.record(ref, 'Warning', 'FailedScheduling', result.message);
      return;
    }
    this.assumed.set(k, { pod, nodeName: result.nodeName, at: Date.now() });
    this.usage.set(k, pod, result.nodeName);
    const b = this.bind(pod, ref, result.nodeName, result.score).finally(() => this.binding.delete(b));
    this.binding.add(b);
    if (this.binding.size >= MAX_BINDS_IN_FLIGHT) await Promise.race(this.binding);
  }

  /** The binding cycle of an assumed pod; a failure other than 409/404 parks the pod for a later attempt. */
  private async bind(pod: Pod, ref: Pod, nodeName: string, score: number): Promise<void> {
    const k = keyOf(pod);
    try {
      await this.opts.client.bind(pod.metadata.namespace!, pod.metadata.name!, nodeName);
    } catch (err) {
      this.forget(k);
      // 409: bound by someone else or being deleted; 404: gone. The informer brings the truth either way.
      if (isStatusError(err) && (err.code === 409 || err.code === 404)) {
        this.log.info({ pod: k, err: err.message }, 'binding skipped');
        return;
      }
      this.log.error({ err, pod: k }, 'binding failed; will retry');
      this.parked.add(k);
      return;
    }
    this.log.info({ pod: k, node: nodeName, score }, 'bound pod');
    void this.events.record(ref, 'Normal', 'Scheduled', `Successfully assigned ${k} to ${nodeName}`);
  }

  /** PodScheduled=False/Unschedulable, written only when it changes (a merge patch replaces the whole list). */
  private async markUnschedulable(pod: Pod, message: string): Promise<void> {
    const conditions = pod.status?.conditions ?? [];
    const old = conditions.find((c) => c.type === 'PodScheduled');
    if (old?.status === 'False' && old.reason === 'Unschedulable' && old.message === message) return;
    const cond: PodCondition = {
      type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null,
      lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(),
    };
    const next = [...conditions.filter((c) => c.type !== 'PodScheduled'), cond];
    try {
      await this.opts.client.patchStatus({ resource: 'pods', namespace: pod.metadata.namespace }, pod.metadata.name!, {
        metadata: { resourceVersion: pod.metadata.resourceVersion }, status: { conditions: next },
      });
    } catch (err) {
      // A conflict means the pod changed meanwhile; its update event puts it back in the queue.
      if (!isStatusError(err) || (err.code !== 409 && err.code !== 404)) throw err;
    }
  }
}

function specAndLabels(p: Pod): unknown {
  return [p.spec, p.metadata.labels, p.metadata.deletionTimestamp];
}

/** Whether a node update can change a scheduling decision (heartbeats alone cannot). */
function offersChanged(old: Node, cur: Node): boolean {
  return JSON.stringify([old.spec, old.metadata.labels, old.status?.allocatable]) !== JSON.stringify([cur.spec, cur.metadata.labels, cur.status?.allocatable])
    || isNodeReady(old) !== isNodeReady(cur);
}
