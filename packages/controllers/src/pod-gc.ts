// Pod garbage collection (k/k pkg/controller/podgc), as an API client. Every `periodMs`:
//   - orphans: pods bound to a Node that no longer exists. A pod is only collected after its node has been missing
//     for `quarantineMs` and a fresh GET of the node still says 404 (the informer may simply lag); it is then
//     marked Failed with a DisruptionTarget condition and force-deleted (grace 0): no kubelet will ever finish it;
//   - terminating pods that were never scheduled: nothing would ever finish them either → force delete;
//   - terminated pods (Succeeded/Failed) beyond `terminatedThreshold` (0 disables): the oldest are force-deleted.
import { isStatusError, type Node, type Pod, rfc3339 } from '@podling/api';
import type { Informer, KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { isTerminal } from './scheduling-algorithm.ts';
import { SharedInformers, type SharedInformer } from './shared-informers.ts';

export interface PodGcOptions {
  client: KubeClientApi;
  logger: Logger;
  periodMs: number;
  terminatedThreshold: number;
  /** How long a node must be missing before its pods count as orphans; kube: 40 s (2 × the 20 s period). */
  quarantineMs?: number;
  /** Informers shared with the other controllers of the process; its own when absent. */
  informers?: SharedInformers;
}

const keyOf = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;

/** The terminated pods to delete, oldest first: `count - threshold` of them (kube sorts by creationTimestamp). */
export function terminatedPodsToCollect(pods: Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isTerminal);
  if (terminated.length <= threshold) return [];
  const created = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return terminated.sort((a, b) => created(a) - created(b) || keyOf(a).localeCompare(keyOf(b))).slice(0, terminated.length - threshold);
}

export class PodGcController {
  private readonly log: Logger;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly shared: SharedInformer<Node | Pod>[];
  /** Node name → local time we first found it missing while pods still named it. */
  private readonly missingSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: PodGcOptions) {
    this.log = opts.logger.child({ controller: 'podgc' });
    const informers = opts.informers ?? new SharedInformers(opts.client, this.log);
    const nodes = informers.get<Node>('nodes');
    const pods = informers.get<Pod>('pods');
    this.shared = [nodes, pods] as SharedInformer<Node | Pod>[];
    this.nodes = nodes.informer;
    this.pods = pods.informer;
  }

  async start(): Promise<void> {
    await Promise.all(this.shared.map((i) => i.start()));
    if (this.stopped) return;
    this.timer = setInterval(() => {
      this.pass ??= this.collect().catch((err) => this.log.error({ err }, 'pod GC pass failed')).finally(() => { this.pass = undefined; });
    }, this.opts.periodMs);
    this.log.info({ periodMs: this.opts.periodMs, terminatedThreshold: this.opts.terminatedThreshold }, 'pod GC started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.shared.map((i) => i.stop()));
    await this.pass;
  }

  async collect(): Promise<void> {
    const pods = this.pods.list();
    for (const p of terminatedPodsToCollect(pods, this.opts.terminatedThreshold)) {
      await this.forceDelete(p, 'terminated pod beyond --terminated-pod-gc-threshold');
    }
    await this.collectOrphans(pods);
    for (const p of pods) {
      if (this.stopped) return;
      if (p.metadata.deletionTimestamp && !p.spec.nodeName) await this.forceDelete(p, 'terminating pod that was never scheduled');
    }
  }

  private async collectOrphans(pods: Pod[]): Promise<void> {
    const now = Date.now();
    const quarantine = this.opts.quarantineMs ?? 2 * this.opts.periodMs;
    const missing = new Set<string>();
    for (const p of pods) {
      const n = p.spec.nodeName;
      if (n && !this.nodes.get('', n)) missing.add(n);
    }
    for (const n of this.missingSince.keys()) if (!missing.has(n)) this.missingSince.delete(n);
    for (const n of missing) {
      if (this.stopped) return;
      const since = this.missingSince.get(n);
      if (since === undefined) { this.missingSince.set(n, now); continue; }
      if (now - since < quarantine || !(await this.nodeIsGone(n))) continue;
      for (const p of pods) if (p.spec.nodeName === n) await this.collectOrphan(p);
    }
  }

  private async nodeIsGone(name: string): Promise<boolean> {
    try {
      await this.opts.client.get({ resource: 'nodes' }, name);
      this.missingSince.delete(name);
      return false;
    } catch (err) {
      if (isStatusError(err) && err.code === 404) return true;
      throw err;
    }
  }

  private async collectOrphan(pod: Pod): Promise<void> {
    if (!isTerminal(pod)) {
      const at = rfc3339();
      const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
        { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: at }];
      try {
        await this.opts.client.patchStatus({ resource: 'pods', namespace: pod.metadata.namespace }, pod.metadata.name!,
          { status: { phase: 'Failed', conditions } });
      } catch (err) {
        this.log.debug({ err, pod: keyOf(pod) }, 'could not mark orphaned pod Failed');
      }
    }
    await this.forceDelete(pod, `node ${pod.spec.nodeName} no longer exists`);
  }

  private async forceDelete(pod: Pod, why: string): Promise<void> {
    this.log.info({ pod: keyOf(pod), why }, 'force-deleting pod');
    try {
      await this.opts.client.delete({ resource: 'pods', namespace: pod.metadata.namespace }, pod.metadata.name!,
        { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (isStatusError(err) && (err.code === 404 || err.code === 409)) return;
      this.log.warn({ err, pod: keyOf(pod) }, 'could not delete pod');
    }
  }
}
