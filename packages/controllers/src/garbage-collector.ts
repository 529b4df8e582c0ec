// The garbage collector (k/k pkg/controller/garbagecollector, much simplified): it watches every served kind that
// can own or be owned and keeps an index owner uid → dependents. One sync of `resource/namespace/name`:
//   - an object with deletionTimestamp and the `orphan` finalizer: strip its ownerReference from every dependent,
//     then remove the finalizer (the owner goes, the dependents stay);
//   - with `foregroundDeletion`: delete its dependents (Foreground for those that own others in turn) and remove
//     the finalizer once no dependent whose reference has blockOwnerDeletion is left;
//   - otherwise, if it has ownerReferences whose owners are gone (404, or another object with that name: a
//     different uid — always confirmed by a live GET, never by the cache alone): delete it (Background) when no
//     owner is left, or only drop the dead references when another owner lives.
// Level-triggered: the informers' first list enqueues every object, so owners that vanished while the collector
// was down are found after a restart. Owners of kinds it does not watch are assumed to live.
import { isStatusError, type KubeObject, type OwnerReference } from '@podling/api';
import { EventRecorder, type Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { QueueController } from './queue-controller.ts';
import type { SharedInformer, SharedInformers } from './shared-informers.ts';

/** The kinds the collector watches, by resource; each owner reference's kind is looked up here. */
export const GC_RESOURCES: Record<string, string> = {
  pods: 'Pod', replicasets: 'ReplicaSet', deployments: 'Deployment', statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet', jobs: 'Job', cronjobs: 'CronJob', replicationcontrollers: 'ReplicationController',
  controllerrevisions: 'ControllerRevision',
};
const RESOURCE_OF_KIND = new Map(Object.entries(GC_RESOURCES).map(([r, k]) => [k, r]));

export interface GarbageCollectorOptions {
  client: KubeClientApi;
  logger: Logger;
  informers: SharedInformers;
  /** The resources of GC_RESOURCES the apiserver serves; default all. */
  resources?: string[];
  workers?: number;
}

const is404 = (err: unknown) => isStatusError(err) && err.code === 404;

export class GarbageCollector extends QueueController {
  protected readonly log: Logger;
  protected readonly events: EventRecorder;
  protected readonly informers: SharedInformer<KubeObject>[] = [];
  private readonly caches = new Map<string, Informer<KubeObject>>();
  /** owner uid → keys of the objects whose ownerReferences name it. */
  private readonly dependents = new Map<string, Set<string>>();
  /** uid → key of every cached object, to wake a foreground-deleting owner when a dependent goes. */
  private readonly keyOfUid = new Map<string, string>();

  constructor(private readonly opts: GarbageCollectorOptions) {
    super('garbage-collector', opts.workers ?? 5);
    this.log = opts.logger.child({ controller: 'garbage-collector' });
    this.events = new EventRecorder(opts.client, { component: 'garbage-collector', logger: this.log });
    for (const resource of opts.resources ?? Object.keys(GC_RESOURCES)) {
      const shared = opts.informers.get<KubeObject>(resource);
      this.informers.push(shared);
      this.caches.set(resource, shared.informer);
      shared.informer
        .on('add', (o) => this.observe(resource, o, undefined))
        .on('update', (old, o) => this.observe(resource, o, old))
        .on('delete', (o) => this.gone(resource, o));
    }
  }

  private observe(resource: string, obj: KubeObject, old: KubeObject | undefined): void {
    const key = `${resource}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    if (old) this.unindex(key, old);
    this.keyOfUid.set(obj.metadata.uid!, key);
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, set = new Set());
      set.add(key);
    }
    if (obj.metadata.ownerReferences?.length || (obj.metadata.deletionTimestamp && pendingFinalizer(obj))) this.queue.add(key);
  }

  private unindex(key: string, obj: KubeObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.dependents.get(ref.uid);
      set?.delete(key);
      if (set?.size === 0) this.dependents.delete(ref.uid);
    }
  }

  private gone(resource: string, obj: KubeObject): void {
    const key = `${resource}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    this.unindex(key, obj);
    if (this.keyOfUid.get(obj.metadata.uid!) === key) this.keyOfUid.delete(obj.metadata.uid!);
    // Its dependents may now be orphans; its owners may be waiting for it in a foreground deletion.
    for (const k of this.dependents.get(obj.metadata.uid!) ?? []) this.queue.add(k);
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const k = this.keyOfUid.get(ref.uid);
      if (k) this.queue.add(k);
    }
  }

  protected async sync(key: string): Promise<void> {
    const [resource, namespace, ...rest] = key.split('/');
    const name = rest.join('/');
    const obj = this.caches.get(resource)?.get(namespace, name);
    if (!obj) return;
    const finalizer = obj.metadata.deletionTimestamp ? pendingFinalizer(obj) : undefined;
    if (finalizer === 'orphan') await this.orphanDependents(resource, obj);
    else if (finalizer === 'foregroundDeletion') await this.deleteDependents(resource, obj);
    else if (!obj.metadata.deletionTimestamp && obj.metadata.ownerReferences?.length) await this.collect(resource, obj);
  }

  /** The live dependents of `owner`: each re-read, kept if it still names the owner's uid. */
  private async liveDependents(owner: KubeObject): Promise<{ resource: string; obj: KubeObject }[]> {
    const found: { resource: string; obj: KubeObject }[] = [];
    for (const key of [...this.dependents.get(owner.metadata.uid!) ?? []]) {
      const [resource, namespace, ...rest] = key.split('/');
      try {
        const obj = await this.opts.client.get<KubeObject>({ resource, namespace }, rest.join('/'));
        if (obj.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) found.push({ resource, obj });
      } catch (err) {
        if (!is404(err)) throw err;
      }
    }
    return found;
  }

  private async orphanDependents(resource: string, owner: KubeObject): Promise<void> {
    for (const d of await this.liveDependents(owner)) {
      await this.setOwnerReferences(d.resource, d.obj, (d.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid));
    }
    await this.removeFinalizer(resource, owner, 'orphan');
  }

  /** Kubernetes' processDeletingDependentsItem + attemptToDeleteItem: the owner waits only for the dependents whose
   * reference blocks its deletion; a dependent that has dependents of its own goes in the foreground too, so the
   * whole tree is gone before the owner (a ReplicaSet waits for its pods). A dependent with another owner still
   * standing only loses its reference to this one. */
  private async deleteDependents(resource: string, owner: KubeObject): Promise<void> {
    const left = await this.liveDependents(owner);
    for (const d of left) {
      if (d.obj.metadata.deletionTimestamp) continue;
      const refs = d.obj.metadata.ownerReferences ?? [];
      const others = refs.filter((r) => r.uid !== owner.metadata.uid);
      let standing = false;
      for (const ref of others) if (!(await this.ownerAbsent(d.obj.metadata.namespace, ref))) standing = true;
      if (standing) await this.setOwnerReferences(d.resource, d.obj, others);
      else await this.deleteObject(d.resource, d.obj, this.dependents.get(d.obj.metadata.uid!)?.size ? 'Foreground' : 'Background');
    }
    const blocking = left.filter((d) => d.obj.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid && r.blockOwnerDeletion));
    // Dependents still terminating (a pod in its grace period) wake the owner again when their DELETED arrives.
    if (blocking.length === 0) await this.removeFinalizer(resource, owner, 'foregroundDeletion');
  }

  private async collect(resource: string, cached: KubeObject): Promise<void> {
    const namespace = cached.metadata.namespace;
    const refs = cached.metadata.ownerReferences ?? [];
    const dead: OwnerReference[] = [];
    for (const ref of refs) if (await this.ownerAbsent(namespace, ref)) dead.push(ref);
    if (dead.length === 0) return;
    let obj: KubeObject;
    try {
      obj = await this.opts.client.get<KubeObject>({ resource, namespace }, cached.metadata.name!);
    } catch (err) {
      if (is404(err)) return;
      throw err;
    }
    if (obj.metadata.uid !== cached.metadata.uid || obj.metadata.deletionTimestamp) return;
    const deadUids = new Set(dead.map((r) => r.uid));
    const live = (obj.metadata.ownerReferences ?? []).filter((r) => !deadUids.has(r.uid));
    if (live.length === (obj.metadata.ownerReferences ?? []).length) return; // changed since the cache saw it
    if (live.length === 0) await this.deleteObject(resource, obj);
    else await this.setOwnerReferences(resource, obj, live);
  }

  /** True when no object of the reference's kind has that name and uid in the namespace: a cached match is
   * trusted, absence is confirmed by a GET. */
  private async ownerAbsent(namespace: string | undefined, ref: OwnerReference): Promise<boolean> {
    const resource = RESOURCE_OF_KIND.get(ref.kind);
    const cache = resource ? this.caches.get(resource) : undefined;
    if (!resource || !cache) return false;
    if (cache.get(namespace ?? '', ref.name)?.metadata.uid === ref.uid) return false;
    try {
      const owner = await this.opts.client.get<KubeObject>({ resource, namespace }, ref.name);
      return owner.metadata.uid !== ref.uid;
    } catch (err) {
      if (is404(err)) return true;
      throw err;
    }
  }

  private async deleteObject(resource: string, obj: KubeObject, propagationPolicy: 'Background' | 'Foreground' = 'Background'): Promise<void> {
    const { namespace, name, uid } = obj.metadata;
    try {
      await this.opts.client.delete({ resource, namespace }, name!, { propagationPolicy, preconditions: { uid } });
      this.log.info({ resource, namespace, name }, 'deleted object whose owners are gone');
    } catch (err) {
      if (!is404(err)) throw err;
    }
  }

  /** A JSON patch that tests the references it replaces, so a concurrent change fails it (and the sync retries). */
  private async setOwnerReferences(resource: string, obj: KubeObject, refs: OwnerReference[]): Promise<void> {
    const path = '/metadata/ownerReferences';
    const patch = [{ op: 'test', path, value: obj.metadata.ownerReferences }, refs.length ? { op: 'replace', path, value: refs } : { op: 'remove', path }];
    try {
      await this.opts.client.patch({ resource, namespace: obj.metadata.namespace }, obj.metadata.name!, patch, 'json');
    } catch (err) {
      if (!is404(err)) throw err;
    }
  }

  /** Re-reads the owner so the patch tests the finalizers as they are now, not as the cache last saw them. */
  private async removeFinalizer(resource: string, cached: KubeObject, finalizer: string): Promise<void> {
    const ref = { resource, namespace: cached.metadata.namespace };
    try {
      const obj = await this.opts.client.get<KubeObject>(ref, cached.metadata.name!);
      const current = obj.metadata.finalizers ?? [];
      if (obj.metadata.uid !== cached.metadata.uid || !current.includes(finalizer)) return;
      const rest = current.filter((f) => f !== finalizer);
      const path = '/metadata/finalizers';
      await this.opts.client.patch(ref, obj.metadata.name!, [{ op: 'test', path: '/metadata/uid', value: obj.metadata.uid },
        { op: 'test', path, value: current }, rest.length ? { op: 'replace', path, value: rest } : { op: 'remove', path }], 'json');
    } catch (err) {
      if (!is404(err)) throw err;
    }
  }
}

/** The deletion finalizer the collector acts on; `orphan` first, as Kubernetes processes it first. */
function pendingFinalizer(obj: KubeObject): 'orphan' | 'foregroundDeletion' | undefined {
  const f = obj.metadata.finalizers ?? [];
  return f.includes('orphan') ? 'orphan' : f.includes('foregroundDeletion') ? 'foregroundDeletion' : undefined;
}
