// The Deployment controller (k/k pkg/controller/deployment). One sync of `namespace/name`:
//   1. claim ReplicaSets (adopt/release by selector); a Deployment being deleted only gets its status;
//   2. keep the Progressing condition in step with `paused`;
//   3. paused, or a scaling event (an active RS's desired-replicas annotation ≠ spec.replicas): only scale,
//      proportionally when several RSs are active, and trim history;
//   4. otherwise roll out: Recreate (old RSs to 0, wait until no old pod runs, then the new RS at full size) or
//      RollingUpdate (grow the new RS within maxSurge; if nothing grew, shrink old ones within maxUnavailable);
//      when complete, delete the oldest surplus RSs beyond revisionHistoryLimit;
//   5. write status and conditions; come back when the progress deadline would pass.
// The ReplicaSets do the pod work; this controller only sets their spec.replicas and annotations.
import { isStatusError, labelsMatch, selectorFromObject, type KubeObject, type Pod } from '@podling/api';
import { EventRecorder, type Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { claimObjects } from './controller-ref-manager.ts';
import { desiredReplicas, isRollingUpdate, newRSReplicas, oldReplicaSetScaleDown, proportionalScale, replicasOf, type ScaleStep } from './deployment-math.ts';
import { buildNewReplicaSet, DESIRED_REPLICAS, findNewReplicaSet, newReplicaSetAnnotations, replicasAnnotations, REVISION, revisionOf, templatesEqual } from './deployment-revisions.ts';
import { calculateStatus, condition, getCondition, hasProgressDeadline, isComplete, progressDeadlineAt, rolloutStatus, setCondition, type DeploymentStatus } from './deployment-status.ts';
import { controlledBy, controllerRefOf, indexByController, keyOf, newControllerRef, splitKey } from './owner-references.ts';
import { QueueController } from './queue-controller.ts';
import type { SharedInformer, SharedInformers } from './shared-informers.ts';
import { writeStatus } from './status-writer.ts';
import type { Deployment, ReplicaSet } from './workload-types.ts';

const KIND = { apiVersion: 'apps/v1', kind: 'Deployment' };

export interface DeploymentControllerOptions { client: KubeClientApi; logger: Logger; informers: SharedInformers; now?: () => number }

export class DeploymentController extends QueueController {
  protected readonly log: Logger;
  protected readonly events: EventRecorder;
  protected readonly informers: SharedInformer<Deployment | ReplicaSet | Pod>[];
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly client: KubeClientApi;
  private readonly now: () => number;

  constructor(opts: DeploymentControllerOptions) {
    super('deployment-controller', 5);
    this.client = opts.client;
    this.now = opts.now ?? Date.now;
    this.log = opts.logger.child({ controller: 'deployment-controller' });
    this.events = new EventRecorder(opts.client, { component: 'deployment-controller', logger: this.log });
    const ds = opts.informers.get<Deployment>('deployments');
    const rss = opts.informers.get<ReplicaSet>('replicasets');
    const pods = opts.informers.get<Pod>('pods');
    this.informers = [ds, rss, pods] as SharedInformer<Deployment | ReplicaSet | Pod>[];
    this.deployments = ds.informer.on('add', (d) => this.queue.add(keyOf(d))).on('update', (_o, d) => this.queue.add(keyOf(d))).on('delete', (d) => this.queue.add(keyOf(d)));
    const onRS = (rs: ReplicaSet) => {
      const owner = this.ownerOf(rs);
      if (owner) { this.queue.add(keyOf(owner)); return; }
      if (controllerRefOf(rs)) return;
      for (const d of this.deployments.list()) {
        if (d.metadata.namespace === rs.metadata.namespace && labelsMatch(selectorFromObject(d.spec.selector), rs.metadata.labels)) this.queue.add(keyOf(d));
      }
    };
    this.replicaSets = rss.informer.on('add', onRS).on('update', (old, rs) => { if (old.metadata.resourceVersion !== rs.metadata.resourceVersion) onRS(rs); }).on('delete', onRS);
    // Recreate waits for old pods to be gone: their deletion is the event it waits for.
    this.pods = pods.informer.on('delete', (p) => {
      const rsRef = controllerRefOf(p);
      const rs = rsRef?.kind === 'ReplicaSet' ? this.replicaSets.get(p.metadata.namespace ?? '', rsRef.name) : undefined;
      const d = rs && this.ownerOf(rs);
      if (d && !isRollingUpdate(d)) this.queue.add(keyOf(d));
    });
    indexByController(this.pods);
  }

  private ownerOf(rs: ReplicaSet): Deployment | undefined {
    const ref = controllerRefOf(rs);
    if (ref?.kind !== 'Deployment') return undefined;
    const d = this.deployments.get(rs.metadata.namespace ?? '', ref.name);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  protected async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const cached = this.deployments.get(namespace, name);
    if (!cached) return;
    const d = structuredClone(cached);
    const selector = selectorFromObject(d.spec.selector);
    if (!selector.requirements.length) {
      void this.events.record(this.asObject(d), 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      await writeStatus(this.client, 'deployments', cached, { ...d.status, observedGeneration: d.metadata.generation });
      return;
    }
    const candidates = this.replicaSets.list().filter((rs) => rs.metadata.namespace === namespace);
    const rsList = (await claimObjects<ReplicaSet>({
      client: this.client, resource: 'replicasets', owner: d, ownerKind: KIND, ownerResource: 'deployments',
      matches: (rs) => labelsMatch(selector, rs.metadata.labels),
    }, candidates)).map((rs) => structuredClone(rs));
    if (d.metadata.deletionTimestamp) return this.finish(cached, d, rsList, findNewReplicaSet(d, rsList), false, false);
    this.syncPausedCondition(d);
    if (d.spec.paused || this.isScalingEvent(d, rsList)) return this.scaleOnly(cached, d, rsList);
    let newRS = findNewReplicaSet(d, rsList);
    const old = () => rsList.filter((rs) => rs !== newRS);
    if (!isRollingUpdate(d)) {
      if (await this.apply(d, old().filter((rs) => replicasOf(rs) > 0).map((rs) => ({ rs, to: 0 })))) return this.finish(cached, d, rsList, newRS, false);
      if (this.oldPodsRunning(old())) return this.finish(cached, d, rsList, newRS, false);
      newRS = await this.syncNewReplicaSet(d, rsList, newRS, true);
      if (newRS && replicasOf(newRS) !== desiredReplicas(d)) await this.apply(d, [{ rs: newRS, to: desiredReplicas(d) }]);
      return this.finish(cached, d, rsList, newRS, true);
    }
    newRS = await this.syncNewReplicaSet(d, rsList, newRS, true);
    if (newRS) {
      const want = replicasOf(newRS) > desiredReplicas(d) ? desiredReplicas(d) : newRSReplicas(d, rsList, newRS);
      if (want !== replicasOf(newRS) && await this.apply(d, [{ rs: newRS, to: want }])) return this.finish(cached, d, rsList, newRS, false);
    }
    const active = old().filter((rs) => replicasOf(rs) > 0);
    if (await this.apply(d, oldReplicaSetScaleDown(d, active, newRS))) return this.finish(cached, d, rsList, newRS, false);
    return this.finish(cached, d, rsList, newRS, true);
  }

  /**
   * Status (+ history trimming when the rollout is complete), and a wake-up at the progress deadline. Only a
   * rollout judges progress; scaling, pausing and deletion report counts (k/k syncDeploymentStatus).
   */
  private async finish(cached: Deployment, d: Deployment, rsList: ReplicaSet[], newRS: ReplicaSet | undefined, mayClean: boolean, rollout = true): Promise<void> {
    const now = this.now();
    const status = rollout ? rolloutStatus(d, rsList, newRS, now) : calculateStatus(d, rsList, newRS, now);
    if (mayClean && isComplete(d, status)) await this.cleanup(d, rsList.filter((rs) => rs !== newRS));
    await writeStatus(this.client, 'deployments', cached, status);
    const deadline = progressDeadlineAt(d, status);
    if (deadline !== undefined) this.queue.addAfter(keyOf(d), deadline - now + 1000);
  }

  private async scaleOnly(cached: Deployment, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const newRS = await this.syncNewReplicaSet(d, rsList, findNewReplicaSet(d, rsList), false);
    const active = rsList.filter((rs) => replicasOf(rs) > 0);
    const n = desiredReplicas(d);
    let steps: ScaleStep[];
    if (active.length <= 1) {
      const target = active[0] ?? newRS ?? [...rsList].sort((a, b) => revisionOf(b) - revisionOf(a))[0];
      steps = target && (replicasOf(target) !== n || target.metadata.annotations?.[DESIRED_REPLICAS] !== String(n)) ? [{ rs: target, to: n }] : [];
    } else if (newRS && replicasOf(newRS) === n && (newRS.status?.availableReplicas ?? 0) === n) {
      steps = active.filter((rs) => rs !== newRS).map((rs) => ({ rs, to: 0 }));
    } else {
      steps = isRollingUpdate(d) ? proportionalScale(d, active, d.status?.replicas ?? 0) : [];
    }
    await this.apply(d, steps);
    if (d.spec.paused) await this.cleanup(d, rsList.filter((rs) => rs !== newRS));
    return this.finish(cached, d, rsList, newRS, false, false);
  }

  private isScalingEvent(d: Deployment, rsList: ReplicaSet[]): boolean {
    return rsList.some((rs) => replicasOf(rs) > 0 && rs.metadata.annotations?.[DESIRED_REPLICAS] !== undefined && rs.metadata.annotations[DESIRED_REPLICAS] !== String(desiredReplicas(d)));
  }

  private syncPausedCondition(d: Deployment): void {
    if (!hasProgressDeadline(d)) return;
    const s: DeploymentStatus = d.status ??= {};
    const paused = getCondition(s, 'Progressing')?.reason === 'DeploymentPaused';
    if (d.spec.paused && !paused) setCondition(s, condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', this.now()));
    else if (!d.spec.paused && paused) setCondition(s, condition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed', this.now()));
  }

  private oldPodsRunning(oldRSs: ReplicaSet[]): boolean {
    if (oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
    return oldRSs.some((rs) => controlledBy(this.pods, rs.metadata.uid, rs.metadata.namespace ?? '')
      .some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded'));
  }

  /**
   * Brings the new RS's annotations (revision) up to date, or creates it when `create` and it is missing; keeps
   * the Deployment's revision annotation equal to the new RS's. Returns the new RS (mutated into rsList).
   */
  private async syncNewReplicaSet(d: Deployment, rsList: ReplicaSet[], newRS: ReplicaSet | undefined, create: boolean): Promise<ReplicaSet | undefined> {
    const maxOld = Math.max(0, ...rsList.filter((rs) => rs !== newRS).map(revisionOf));
    const revision = maxOld + 1;
    const ref = { resource: 'replicasets', namespace: d.metadata.namespace };
    if (newRS) {
      const { annotations, changed } = newReplicaSetAnnotations(d, newRS, revision, true);
      const minReady = d.spec.minReadySeconds ?? 0;
      if (changed || (newRS.spec.minReadySeconds ?? 0) !== minReady) {
        const updated = await this.client.patch<ReplicaSet>(ref, newRS.metadata.name!, {
          metadata: { annotations, resourceVersion: newRS.metadata.resourceVersion }, spec: { minReadySeconds: minReady },
        });
        Object.assign(newRS, structuredClone(updated));
      }
      if (!getCondition(d.status, 'Progressing') && hasProgressDeadline(d)) {
        setCondition(d.status ??= {}, condition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${newRS.metadata.name}"`, this.now()));
      }
    } else if (create) {
      newRS = await this.createNewReplicaSet(d, rsList, revision);
      if (!newRS) return undefined;
    } else {
      return undefined;
    }
    if (d.metadata.annotations?.[REVISION] !== newRS.metadata.annotations?.[REVISION]) {
      await this.client.patch({ resource: 'deployments', namespace: d.metadata.namespace }, d.metadata.name!, { metadata: { annotations: { [REVISION]: newRS.metadata.annotations?.[REVISION] } } });
    }
    return newRS;
  }

  private async createNewReplicaSet(d: Deployment, rsList: ReplicaSet[], revision: number): Promise<ReplicaSet | undefined> {
    const rs = buildNewReplicaSet(d, newControllerRef(d, KIND));
    rs.spec.replicas = newRSReplicas(d, [...rsList, rs], rs);
    rs.metadata.annotations = newReplicaSetAnnotations(d, rs, revision, false).annotations;
    try {
      const created = structuredClone(await this.client.create<ReplicaSet>({ resource: 'replicasets', namespace: d.metadata.namespace }, rs));
      rsList.push(created);
      if (replicasOf(created) > 0) void this.events.record(this.asObject(d), 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${replicasOf(created)}`);
      if (hasProgressDeadline(d)) setCondition(d.status ??= {}, condition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${created.metadata.name}"`, this.now()));
      return created;
    } catch (err) {
      if (isStatusError(err) && err.code === 409) {
        const existing = await this.client.get<ReplicaSet>({ resource: 'replicasets', namespace: d.metadata.namespace }, rs.metadata.name!);
        if (controllerRefOf(existing)?.uid === d.metadata.uid && templatesEqual(existing.spec.template, d.spec.template)) { rsList.push(existing); return existing; }
        // A hash collision: a different template under our name. Bump collisionCount; the next sync hashes anew.
        await writeStatus(this.client, 'deployments', d, { ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 });
        throw new Error(`hash collision for replica set ${rs.metadata.name}`);
      }
      const message = `Failed to create new replica set "${rs.metadata.name}": ${(err as Error).message}`;
      void this.events.record(this.asObject(d), 'Warning', 'ReplicaSetCreateError', message);
      if (hasProgressDeadline(d)) setCondition(d.status ??= {}, condition('Progressing', 'False', 'ReplicaSetCreateError', message, this.now()));
      throw err;
    }
  }

  /** Sets spec.replicas (and the replicas annotations) of each RS in `steps`; true if anything changed. */
  private async apply(d: Deployment, steps: ScaleStep[]): Promise<boolean> {
    await Promise.all(steps.map(async ({ rs, to }) => {
      // The plan already changed rs.spec.replicas in memory; the cache still holds the size we scale from.
      const from = this.replicaSets.get(rs.metadata.namespace ?? '', rs.metadata.name!)?.spec.replicas ?? 0;
      const updated = await this.client.patch<ReplicaSet>({ resource: 'replicasets', namespace: rs.metadata.namespace }, rs.metadata.name!, {
        metadata: { annotations: replicasAnnotations(d), resourceVersion: rs.metadata.resourceVersion }, spec: { replicas: to },
      });
      Object.assign(rs, structuredClone(updated));
      if (from !== to) void this.events.record(this.asObject(d), 'Normal', 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} to ${to} from ${from}`);
    }));
    return steps.length > 0;
  }

  /** cleanupDeployment: delete the lowest revisions beyond revisionHistoryLimit that are fully scaled down. */
  private async cleanup(d: Deployment, oldRSs: ReplicaSet[]): Promise<void> {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const surplus = alive.length - limit;
    if (surplus <= 0) return;
    const victims = alive.sort((a, b) => revisionOf(a) - revisionOf(b))
      .filter((rs) => replicasOf(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && (rs.status?.observedGeneration ?? 0) >= (rs.metadata.generation ?? 0))
      .slice(0, surplus);
    for (const rs of victims) {
      try {
        await this.client.delete({ resource: 'replicasets', namespace: rs.metadata.namespace }, rs.metadata.name!, { preconditions: { uid: rs.metadata.uid } });
      } catch (err) {
        if (!isStatusError(err) || err.code !== 404) throw err;
      }
    }
  }

  private asObject(d: Deployment): KubeObject { return { ...d, ...KIND }; }
}
