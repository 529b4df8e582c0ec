// The ReplicaSet controller, which also runs ReplicationControllers (k/k pkg/controller/replicaset; the RC
// controller is the same code over a map selector). One sync of `namespace/name`:
//   1. claim the active pods it controls or may adopt (adopt matching orphans, release pods that stopped matching);
//   2. unless creates/deletes of an earlier sync are still unobserved (expectations) or the set is being deleted:
//      create the missing pods in slow-start batches, or delete the surplus in Kubernetes' ranking order —
//      at most 500 per sync, the rest next sync;
//   3. write status (replicas, ready, available with minReadySeconds, ReplicaFailure) when it changed, and come
//      back when a ready pod becomes available.
// A pod that is deleted, evicted or fails stops counting at once, so its replacement (a new pod, new UID) is
// created while the old process may still be in its grace period, as in Kubernetes.
import { isStatusError, labelsMatch, selectorFromObject, selectorFromMatchLabels, type KubeObject, type LabelSelector, type Pod } from '@podling/api';
import { EventRecorder, type Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { claimObjects } from './controller-ref-manager.ts';
import { Expectations } from './expectations.ts';
import {
  claimCandidates, controlledBy, controllerRefOf, indexByController, keyOf, newControllerRef, splitKey, type OwnerKind,
} from './owner-references.ts';
import { rankPodsForDeletion } from './pod-ranking.ts';
import { isPodActive, nextAvailableAt } from './pod-state.ts';
import { podFromTemplate } from './pod-template.ts';
import { QueueController } from './queue-controller.ts';
import { replicaSetStatus } from './replica-set-status.ts';
import type { SharedInformer, SharedInformers } from './shared-informers.ts';
import { slowStartBatch } from './slow-start-batch.ts';
import { writeStatus } from './status-writer.ts';
import type { PodTemplate, ReplicaSet, ReplicationController } from './workload-types.ts';

/** k/k BurstReplicas: the most pods one sync creates or deletes. */
export const BURST_REPLICAS = 500;

type ReplicaOwner = ReplicaSet | ReplicationController;

interface Flavour extends OwnerKind { resource: string; component: string; selector(o: ReplicaOwner): LabelSelector }

export const REPLICA_SET: Flavour = {
  apiVersion: 'apps/v1', kind: 'ReplicaSet', resource: 'replicasets', component: 'replicaset-controller',
  selector: (o) => selectorFromObject((o as ReplicaSet).spec.selector),
};
export const REPLICATION_CONTROLLER: Flavour = {
  apiVersion: 'v1', kind: 'ReplicationController', resource: 'replicationcontrollers', component: 'replication-controller',
  selector: (o) => selectorFromMatchLabels((o as ReplicationController).spec?.selector ?? (o as ReplicationController).spec?.template?.metadata?.labels),
};

export interface ReplicaSetControllerOptions {
  client: KubeClientApi;
  logger: Logger;
  informers: SharedInformers;
  flavour?: Flavour;
  workers?: number;
  now?: () => number;
}

export class ReplicaSetController extends QueueController {
  protected readonly log: Logger;
  protected readonly events: EventRecorder;
  protected readonly informers: SharedInformer<ReplicaOwner | Pod>[];
  readonly expectations: Expectations;
  private readonly sets: Informer<ReplicaOwner>;
  private readonly pods: Informer<Pod>;
  private readonly flavour: Flavour;
  private readonly now: () => number;

  constructor(private readonly opts: ReplicaSetControllerOptions) {
    const flavour = opts.flavour ?? REPLICA_SET;
    super(flavour.component, opts.workers ?? 5);
    this.flavour = flavour;
    this.now = opts.now ?? Date.now;
    this.expectations = new Expectations(this.now);
    this.log = opts.logger.child({ controller: flavour.component });
    this.events = new EventRecorder(opts.client, { component: flavour.component, logger: this.log });
    const sets = opts.informers.get<ReplicaOwner>(flavour.resource);
    const pods = opts.informers.get<Pod>('pods');
    this.informers = [sets, pods] as SharedInformer<ReplicaOwner | Pod>[];
    this.sets = sets.informer
      .on('add', (s) => this.queue.add(keyOf(s)))
      .on('update', (_o, s) => this.queue.add(keyOf(s)))
      .on('delete', (s) => { this.expectations.delete(keyOf(s)); this.queue.add(keyOf(s)); });
    this.pods = pods.informer
      .on('add', (p) => this.onPod(p, undefined))
      .on('update', (old, p) => this.onPod(p, old))
      .on('delete', (p) => this.onPodGone(p));
    indexByController(this.pods);
  }

  /** The set controlling `pod`, if it is one of ours and still the same object (UID). */
  private ownerOf(pod: Pod): ReplicaOwner | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== this.flavour.kind) return undefined;
    const set = this.sets.get(pod.metadata.namespace ?? '', ref.name);
    return set?.metadata.uid === ref.uid ? set : undefined;
  }

  private onPod(pod: Pod, old: Pod | undefined): void {
    if (old && old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const owner = this.ownerOf(pod);
    if (pod.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp) {
      if (owner) this.expectations.deletionObserved(keyOf(owner), pod.metadata.uid!);
    } else if (!old && owner) {
      this.expectations.creationObserved(keyOf(owner));
    }
    if (old) {
      const before = this.ownerOf(old);
      if (before && before !== owner) this.queue.add(keyOf(before));
    }
    if (owner) { this.queue.add(keyOf(owner)); return; }
    if (controllerRefOf(pod) || !isPodActive(pod)) return;
    // An orphan: every set whose selector matches may adopt it.
    for (const s of this.sets.listIn(pod.metadata.namespace ?? '')) {
      if (labelsMatch(this.flavour.selector(s), pod.metadata.labels)) this.queue.add(keyOf(s));
    }
  }

  private onPodGone(pod: Pod): void {
    const owner = this.ownerOf(pod);
    if (!owner) return;
    this.expectations.deletionObserved(keyOf(owner), pod.metadata.uid!);
    this.queue.add(keyOf(owner));
  }

  protected async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const set = this.sets.get(namespace, name);
    if (!set) { this.expectations.delete(key); return; }
    const satisfied = this.expectations.satisfied(key);
    const selector = this.flavour.selector(set);
    const candidates = claimCandidates(this.pods, set).filter(isPodActive);
    const pods = await claimObjects<Pod>({
      client: this.opts.client, resource: 'pods', owner: set, ownerKind: this.flavour, ownerResource: this.flavour.resource,
      matches: (p) => labelsMatch(selector, p.metadata.labels),
    }, candidates);
    let failure: { reason: 'FailedCreate' | 'FailedDelete'; message: string } | undefined;
    if (satisfied && !set.metadata.deletionTimestamp) failure = await this.manage(key, set, pods);
    const minReady = (set.spec as { minReadySeconds?: number }).minReadySeconds ?? 0;
    const now = this.now();
    const status = replicaSetStatus({
      pods, templateLabels: templateOf(set)?.metadata?.labels ?? {}, minReadySeconds: minReady,
      generation: set.metadata.generation, prior: set.status as { conditions?: [] } | undefined, failure, now,
    });
    await writeStatus(this.opts.client, this.flavour.resource, set, status);
    const next = nextAvailableAt(pods, minReady, now);
    if (next !== undefined) this.queue.addAfter(key, next - now + 1000);
    if (failure) throw new Error(failure.message); // retried with back-off, as k/k does on manageReplicas errors
  }

  /** Creates or deletes pods toward spec.replicas; returns the failure to report, if any. */
  private async manage(key: string, set: ReplicaOwner, pods: Pod[]): Promise<{ reason: 'FailedCreate' | 'FailedDelete'; message: string } | undefined> {
    const want = set.spec?.replicas ?? 1;
    const diff = pods.length - want;
    const ref = { resource: 'pods', namespace: set.metadata.namespace };
    if (diff < 0) {
      const template = templateOf(set);
      if (!template) return undefined;
      const count = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expect(key, count);
      const owner = newControllerRef(set, this.flavour);
      const body = podFromTemplate(template, set.metadata.namespace!, set.metadata.name!, owner);
      const result = await slowStartBatch(count, async () => {
        try {
          const pod = await this.opts.client.create<Pod>(ref, structuredClone(body));
          void this.events.record(this.asOwner(set), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        } catch (err) {
          // A namespace being terminated refuses creates; Kubernetes drops those silently.
          if (!(isStatusError(err) && err.code === 403 && /being terminated/.test(err.message))) {
            void this.events.record(this.asOwner(set), 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
          }
          throw err;
        }
      });
      if (result.succeeded < count) this.expectations.creationObserved(key, count - result.succeeded);
      if (result.error) return { reason: 'FailedCreate', message: (result.error as Error).message };
      return undefined;
    }
    if (diff > 0) {
      const victims = this.podsToDelete(set, pods, Math.min(diff, BURST_REPLICAS));
      this.expectations.expect(key, 0, victims.map((p) => p.metadata.uid!));
      let error: Error | undefined;
      await Promise.all(victims.map(async (p) => {
        try {
          await this.opts.client.delete(ref, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
          void this.events.record(this.asOwner(set), 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, p.metadata.uid!);
          if (isStatusError(err) && err.code === 404) return;
          error ??= err as Error;
          void this.events.record(this.asOwner(set), 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
        }
      }));
      if (error) return { reason: 'FailedDelete', message: error.message };
    }
    return undefined;
  }

  /** The `count` pods to delete; ranks count the active pods of every set with the same controller on a node. */
  private podsToDelete(set: ReplicaOwner, pods: Pod[], count: number): Pod[] {
    if (count >= pods.length) return pods;
    const family = new Set([set.metadata.uid]);
    const parent = controllerRefOf(set);
    if (parent) {
      for (const s of this.sets.listIn(set.metadata.namespace ?? '')) if (controllerRefOf(s)?.uid === parent.uid) family.add(s.metadata.uid);
    }
    const perNode = new Map<string, number>();
    for (const uid of family) {
      for (const p of controlledBy(this.pods, uid, set.metadata.namespace ?? '')) {
        if (!p.spec.nodeName || !isPodActive(p)) continue;
        perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
      }
    }
    const rank = (p: Pod) => (p.spec.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);
    return rankPodsForDeletion(pods, rank, this.now()).slice(0, count);
  }

  private asOwner(set: ReplicaOwner): KubeObject {
    return { ...set, apiVersion: this.flavour.apiVersion, kind: this.flavour.kind };
  }
}

function templateOf(set: ReplicaOwner): PodTemplate | undefined {
  return (set.spec as { template?: PodTemplate } | undefined)?.template;
}
