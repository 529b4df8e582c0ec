// The DaemonSet controller (k/k pkg/controller/daemon). One sync of `namespace/name`:
//   1. claim the set's pods and ControllerRevisions (adopt/release by selector);
//   2. find or create the revision of the current template; its hash labels the pods made from it;
//   3. unless earlier creates/deletes are still unobserved (expectations) or the set is being deleted: run manage
//      (daemon-set-plan.ts) and, once that has nothing left to do, the rolling update; at most 250 creates a sync;
//   4. trim revisions beyond revisionHistoryLimit that no pod runs, write status, come back when a pod becomes
//      available (minReadySeconds).
// Every node change that can alter eligibility (added, deleted, labels, taints, unschedulable) resyncs every set.
import { isStatusError, labelsMatch, selectorFromObject, type ControllerRevision, type KubeObject, type Node, type Pod } from '@podling/api';
import { EventRecorder, type Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { CONTROLLER_REVISION_HASH, syncCurrentRevision, trimHistory, type HistoryContext, type HistoryOwner } from './controller-history.ts';
import { claimObjects } from './controller-ref-manager.ts';
import { daemonPod } from './daemon-set-pods.ts';
import { daemonSetStatus, planManage, planRollingUpdate, type DaemonPlan } from './daemon-set-plan.ts';
import { Expectations } from './expectations.ts';
import { claimCandidates, controllerRefOf, indexByController, keyOf, newControllerRef, splitKey } from './owner-references.ts';
import { nextAvailableAt } from './pod-state.ts';
import { QueueController } from './queue-controller.ts';
import type { SharedInformers } from './shared-informers.ts';
import { slowStartBatch } from './slow-start-batch.ts';
import { writeStatus } from './status-writer.ts';
import type { DaemonSet } from './workload-types.ts';

/** k/k BurstReplicas of the DaemonSet controller. */
const BURST = 250;
const KIND = { apiVersion: 'apps/v1', kind: 'DaemonSet' };

export interface DaemonSetControllerOptions { client: KubeClientApi; logger: Logger; informers: SharedInformers; now?: () => number }

export class DaemonSetController extends QueueController {
  protected readonly log: Logger;
  protected readonly events: EventRecorder;
  protected readonly informers: { start(): Promise<void>; stop(): Promise<void> }[];
  readonly expectations: Expectations;
  private readonly sets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly client: KubeClientApi;
  private readonly now: () => number;

  constructor(opts: DaemonSetControllerOptions) {
    super('daemonset-controller', 2);
    this.client = opts.client;
    this.now = opts.now ?? Date.now;
    this.expectations = new Expectations(this.now);
    this.log = opts.logger.child({ controller: 'daemonset-controller' });
    this.events = new EventRecorder(opts.client, { component: 'daemonset-controller', logger: this.log });
    const sets = opts.informers.get<DaemonSet>('daemonsets');
    const pods = opts.informers.get<Pod>('pods');
    const nodes = opts.informers.get<Node>('nodes');
    const revisions = opts.informers.get<ControllerRevision>('controllerrevisions');
    this.informers = [sets, pods, nodes, revisions];
    const enqueue = (o: KubeObject) => this.queue.add(keyOf(o));
    this.sets = sets.informer.on('add', enqueue).on('update', (_o, s) => enqueue(s))
      .on('delete', (s) => { this.expectations.delete(keyOf(s)); enqueue(s); });
    this.pods = pods.informer
      .on('add', (p) => this.onPod(p, undefined))
      .on('update', (old, p) => this.onPod(p, old))
      .on('delete', (p) => { const o = this.ownerOf(p); if (o) { this.expectations.deletionObserved(keyOf(o), p.metadata.uid!); enqueue(o); } });
    indexByController(this.pods);
    const all = () => { for (const s of this.sets.list()) enqueue(s); };
    this.nodes = nodes.informer.on('add', all).on('delete', all)
      .on('update', (old, cur) => { if (JSON.stringify([old.metadata.labels, old.spec]) !== JSON.stringify([cur.metadata.labels, cur.spec])) all(); });
    this.revisions = revisions.informer;
  }

  private ownerOf(obj: KubeObject): DaemonSet | undefined {
    const ref = controllerRefOf(obj);
    if (ref?.kind !== 'DaemonSet') return undefined;
    const s = this.sets.get(obj.metadata.namespace ?? '', ref.name);
    return s?.metadata.uid === ref.uid ? s : undefined;
  }

  private onPod(pod: Pod, old: Pod | undefined): void {
    if (old && old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const owner = this.ownerOf(pod);
    if (owner) {
      if (!old) this.expectations.creationObserved(keyOf(owner));
      else if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(owner), pod.metadata.uid!);
      this.queue.add(keyOf(owner));
      return;
    }
    if (controllerRefOf(pod)) return;
    for (const s of this.sets.list()) {
      if (s.metadata.namespace === pod.metadata.namespace && labelsMatch(selectorFromObject(s.spec.selector), pod.metadata.labels)) this.queue.add(keyOf(s));
    }
  }

  protected async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const ds = this.sets.get(namespace, name);
    if (!ds) { this.expectations.delete(key); return; }
    if (ds.metadata.deletionTimestamp) return;
    const selector = selectorFromObject(ds.spec.selector);
    const claim = <T extends KubeObject>(resource: string, candidates: T[]) => claimObjects<T>({
      client: this.client, resource, owner: ds, ownerKind: KIND, ownerResource: 'daemonsets',
      matches: (o) => labelsMatch(selector, o.metadata.labels),
    }, candidates.filter((o) => o.metadata.namespace === namespace));
    const pods = await claim('pods', claimCandidates(this.pods, ds));
    const revisions = await claim('controllerrevisions', this.revisions.list());
    const history: HistoryContext = { client: this.client, owner: ds as HistoryOwner, ownerKind: KIND, ownerResource: 'daemonsets', hashLabel: CONTROLLER_REVISION_HASH };
    const current = await syncCurrentRevision(history, revisions);
    const hash = current.metadata.labels![CONTROLLER_REVISION_HASH];
    const nodes = this.nodes.list();
    const input = { ds, nodes, pods, hash, now: this.now() };
    if (this.expectations.satisfied(key)) {
      let plan = planManage(input);
      for (const p of plan.failed) void this.events.record(this.asObject(ds), 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${namespace}/${p.metadata.name} on node ${p.spec.nodeName}, will try to kill it`);
      if (!plan.create.length && !plan.delete.length) plan = planRollingUpdate(input);
      await this.syncNodes(key, ds, plan, hash);
    }
    const live = new Set(pods.map((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH]));
    await trimHistory(history, revisions, new Set(revisions.filter((r) => r === current || live.has(r.metadata.labels?.[CONTROLLER_REVISION_HASH])).map((r) => r.metadata.name!)));
    await writeStatus(this.client, 'daemonsets', ds, daemonSetStatus(input));
    const next = nextAvailableAt(pods, ds.spec.minReadySeconds ?? 0, input.now);
    if (next !== undefined) this.queue.addAfter(key, next - input.now + 1000);
  }

  /** Sends the plan's deletes and creates under expectations; throws the first error so the sync is retried. */
  private async syncNodes(key: string, ds: DaemonSet, plan: DaemonPlan, hash: string): Promise<void> {
    const ref = { resource: 'pods', namespace: ds.metadata.namespace };
    const creates = plan.create.slice(0, BURST);
    this.expectations.expect(key, creates.length, plan.delete.map((p) => p.metadata.uid!));
    let error: unknown;
    await Promise.all(plan.delete.map(async (p) => {
      try {
        await this.client.delete(ref, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
        void this.events.record(this.asObject(ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      } catch (err) {
        this.expectations.deletionObserved(key, p.metadata.uid!);
        if (isStatusError(err) && err.code === 404) return;
        error ??= err;
        void this.events.record(this.asObject(ds), 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      }
    }));
    const owner = newControllerRef(ds, KIND);
    let i = 0;
    const result = await slowStartBatch(creates.length, async () => {
      const body = daemonPod(ds, creates[i++], hash, owner);
      try {
        const pod = await this.client.create<Pod>(ref, body);
        void this.events.record(this.asObject(ds), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      } catch (err) {
        if (!(isStatusError(err) && err.code === 403 && /being terminated/.test(err.message))) {
          void this.events.record(this.asObject(ds), 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        }
        throw err;
      }
    });
    if (result.succeeded < creates.length) this.expectations.creationObserved(key, creates.length - result.succeeded);
    error ??= result.error;
    if (error) throw error;
  }

  private asObject(ds: DaemonSet): KubeObject { return { ...ds, ...KIND }; }
}
