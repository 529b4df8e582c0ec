// The StatefulSet controller (k/k pkg/controller/statefulset stateful_set_control.go). One sync of
// `namespace/name`:
//   1. claim the pods named `<set>-<n>` that the selector matches, and the set's ControllerRevisions; the update
//      revision is the current template's, the current revision the one status names (else the update one);
//   2. ordinals start … start+replicas−1: a failed or finished pod is deleted, a missing one created — from the
//      current revision below the partition, else the update revision. OrderedReady walks upward and stops at the
//      first pod it created or that is terminating or not Running and Ready; Parallel does every ordinal at once;
//   3. pods beyond the range are deleted from the highest ordinal down (OrderedReady: one at a time, each once
//      gone, and only while the lower ones are healthy);
//   4. RollingUpdate: from the highest ordinal down to the partition, delete the first pod not at the update
//      revision and wait until its replacement is healthy; OnDelete leaves that to the user;
//   5. trim history, write status.
// Names are fixed, so a create that races a stale cache fails with AlreadyExists instead of doubling a pod: no
// expectations are needed (as in Kubernetes).
import { isStatusError, labelsMatch, selectorFromObject, type ControllerRevision, type KubeObject, type Pod } from '@podling/api';
import { EventRecorder, type Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { HISTORY_HASH_LABEL, syncCurrentRevision, templateOfRevision, trimHistory, type HistoryContext, type HistoryOwner } from './controller-history.ts';
import { claimObjects } from './controller-ref-manager.ts';
import { claimCandidates, controllerRefOf, indexByController, keyOf, newControllerRef, splitKey } from './owner-references.ts';
import { nextAvailableAt } from './pod-state.ts';
import { QueueController } from './queue-controller.ts';
import type { SharedInformers } from './shared-informers.ts';
import { isHealthy, isTerminating, needsRecreate, ordinalOf, revisionOfPod, statefulPod, statefulSetStatus } from './stateful-set-pods.ts';
import { writeStatus } from './status-writer.ts';
import type { StatefulSet } from './workload-types.ts';

const KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

export interface StatefulSetControllerOptions { client: KubeClientApi; logger: Logger; informers: SharedInformers; now?: () => number }

interface Revisions { current: ControllerRevision; update: ControllerRevision }

export class StatefulSetController extends QueueController {
  protected readonly log: Logger;
  protected readonly events: EventRecorder;
  protected readonly informers: { start(): Promise<void>; stop(): Promise<void> }[];
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly client: KubeClientApi;
  private readonly now: () => number;

  constructor(opts: StatefulSetControllerOptions) {
    super('statefulset-controller', 5);
    this.client = opts.client;
    this.now = opts.now ?? Date.now;
    this.log = opts.logger.child({ controller: 'statefulset-controller' });
    this.events = new EventRecorder(opts.client, { component: 'statefulset-controller', logger: this.log });
    const sets = opts.informers.get<StatefulSet>('statefulsets');
    const pods = opts.informers.get<Pod>('pods');
    const revisions = opts.informers.get<ControllerRevision>('controllerrevisions');
    this.informers = [sets, pods, revisions];
    const enqueue = (o: KubeObject) => this.queue.add(keyOf(o));
    this.sets = sets.informer.on('add', enqueue).on('update', (_o, s) => enqueue(s)).on('delete', enqueue);
    const onPod = (p: Pod) => {
      const ref = controllerRefOf(p);
      if (ref) { if (ref.kind === 'StatefulSet') this.queue.add(`${p.metadata.namespace}/${ref.name}`); return; }
      for (const s of this.sets.list()) {
        if (s.metadata.namespace === p.metadata.namespace && labelsMatch(selectorFromObject(s.spec.selector), p.metadata.labels)) enqueue(s);
      }
    };
    this.pods = pods.informer.on('add', onPod).on('update', (old, p) => { if (old.metadata.resourceVersion !== p.metadata.resourceVersion) onPod(p); }).on('delete', onPod);
    indexByController(this.pods);
    this.revisions = revisions.informer;
  }

  protected async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const set = this.sets.get(namespace, name);
    if (!set || set.metadata.deletionTimestamp) return;
    const selector = selectorFromObject(set.spec.selector);
    const claim = <T extends KubeObject>(resource: string, candidates: T[], member: (o: T) => boolean) => claimObjects<T>({
      client: this.client, resource, owner: set, ownerKind: KIND, ownerResource: 'statefulsets',
      matches: (o) => labelsMatch(selector, o.metadata.labels) && member(o),
    }, candidates.filter((o) => o.metadata.namespace === namespace));
    const pods = await claim('pods', claimCandidates(this.pods, set), (p) => ordinalOf(set, p) !== undefined);
    const revisions = await claim('controllerrevisions', this.revisions.list(), () => true);
    const history: HistoryContext = { client: this.client, owner: set as HistoryOwner, ownerKind: KIND, ownerResource: 'statefulsets', hashLabel: HISTORY_HASH_LABEL };
    const update = await syncCurrentRevision(history, revisions);
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    const now = this.now();
    await this.converge(set, pods, { current, update }, now);
    const live = new Set([current.metadata.name!, update.metadata.name!, ...pods.map((p) => revisionOfPod(p) ?? '')]);
    await trimHistory(history, revisions, live);
    await writeStatus(this.client, 'statefulsets', set, statefulSetStatus(set, pods, current, update, now));
    const next = nextAvailableAt(pods, set.spec.minReadySeconds ?? 0, now);
    if (next !== undefined) this.queue.addAfter(key, next - now + 1000);
  }

  /** Steps 2–4 of the sync; returns as soon as OrderedReady must wait. */
  private async converge(set: StatefulSet, pods: Pod[], rev: Revisions, now: number): Promise<void> {
    const ordered = set.spec.podManagementPolicy !== 'Parallel';
    const start = set.spec.ordinals?.start ?? 0;
    const end = start + (set.spec.replicas ?? 1);
    const rolling = set.spec.updateStrategy?.type !== 'OnDelete';
    const partition = rolling ? set.spec.updateStrategy?.rollingUpdate?.partition ?? 0 : 0;
    const byOrdinal = new Map(pods.map((p) => [ordinalOf(set, p)!, p]));
    const work: Promise<unknown>[] = [];
    for (let ordinal = start; ordinal < end; ordinal++) {
      const pod = byOrdinal.get(ordinal);
      if (pod && needsRecreate(pod) && !isTerminating(pod)) {
        void this.events.record(this.asObject(set), 'Warning', 'RecreatingFailedPod', `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating failed Pod ${pod.metadata.name}`);
        work.push(this.deletePod(set, pod));
        if (ordered) return void await Promise.all(work);
        continue;
      }
      if (!pod) {
        const r = rolling && ordinal < partition ? rev.current : rev.update;
        work.push(this.createPod(set, statefulPod(set, templateOfRevision(r), ordinal, r.metadata.name!, newControllerRef(set, KIND))));
        if (ordered) return void await Promise.all(work);
        continue;
      }
      if (ordered && !isHealthy(set, pod, now)) return void await Promise.all(work);
    }
    await Promise.all(work);
    const condemned = pods.filter((p) => ordinalOf(set, p)! >= end || ordinalOf(set, p)! < start).sort((a, b) => ordinalOf(set, b)! - ordinalOf(set, a)!);
    for (const pod of condemned) {
      if (isTerminating(pod)) { if (ordered) return; continue; }
      if (ordered) return void await this.deletePod(set, pod);
      work.push(this.deletePod(set, pod));
    }
    await Promise.all(work);
    if (condemned.length || !rolling) return;
    for (let ordinal = end - 1; ordinal >= Math.max(start, partition); ordinal--) {
      const pod = byOrdinal.get(ordinal);
      if (!pod) return;
      if (revisionOfPod(pod) !== rev.update.metadata.name && !isTerminating(pod)) return void await this.deletePod(set, pod);
      if (!isHealthy(set, pod, now)) return;
    }
  }

  private async createPod(set: StatefulSet, pod: Pod): Promise<void> {
    const what = `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    try {
      await this.client.create<Pod>({ resource: 'pods', namespace: set.metadata.namespace }, pod);
      void this.events.record(this.asObject(set), 'Normal', 'SuccessfulCreate', `${what} successful`);
    } catch (err) {
      // The old pod of that name is still terminating (or the cache lags): its deletion brings us back.
      if (isStatusError(err) && err.code === 409) return;
      void this.events.record(this.asObject(set), 'Warning', 'FailedCreate', `${what} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  private async deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    const what = `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    try {
      await this.client.delete({ resource: 'pods', namespace: set.metadata.namespace }, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
      void this.events.record(this.asObject(set), 'Normal', 'SuccessfulDelete', `${what} successful`);
    } catch (err) {
      if (isStatusError(err) && (err.code === 404 || err.code === 409)) return;
      void this.events.record(this.asObject(set), 'Warning', 'FailedDelete', `${what} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  private asObject(set: StatefulSet): KubeObject { return { ...set, ...KIND }; }
}
