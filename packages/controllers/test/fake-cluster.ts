// An in-memory apiserver behind the KubeClientApi interface, for driving real controllers (their informers, work
// queues and writes) in unit tests without processes: objects get uid, resourceVersion, generation and
// creationTimestamp; generateName works; merge, strategic and JSON patches go through @podling/api; DELETE
// honours finalizers and propagationPolicy (Foreground/Orphan add their finalizer, as kube-apiserver does);
// watches replay from a resourceVersion. Pods are removed at once on delete (no kubelet grace period) unless a
// finalizer holds them. `onWrite` lets a test play the kubelet.
import { randomUUID } from 'node:crypto';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, errors, isStatusError, labelsMatch, parseLabelSelector, type DeleteOptions, type KubeObject, type List, type Status } from '@podling/api';
import type { KubeClientApi, ListQuery, PatchType, ResourceRef, WatchEventOf, WatchQuery, WatchStream } from '@podling/client';

type Ev = { rv: number; resource: string; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject };

const KINDS: Record<string, [string, string]> = {
  pods: ['v1', 'Pod'], replicasets: ['apps/v1', 'ReplicaSet'], deployments: ['apps/v1', 'Deployment'],
  replicationcontrollers: ['v1', 'ReplicationController'], jobs: ['batch/v1', 'Job'], cronjobs: ['batch/v1', 'CronJob'], events: ['v1', 'Event'],
  leases: ['coordination.k8s.io/v1', 'Lease'], nodes: ['v1', 'Node'],
  daemonsets: ['apps/v1', 'DaemonSet'], statefulsets: ['apps/v1', 'StatefulSet'], controllerrevisions: ['apps/v1', 'ControllerRevision'],
};

export class FakeCluster implements KubeClientApi {
  rv = 0;
  readonly objects = new Map<string, KubeObject>(); // resource/ns/name
  readonly log: Ev[] = [];
  private readonly watchers = new Set<{ resource: string; ns?: string; fn: (e: Ev) => void }>();
  /** Called after every write with the stored object (tests use it to play kubelet or count requests). */
  onWrite: (verb: string, resource: string, obj: KubeObject) => void = () => {};
  /** Set to make the next creates of a resource fail. */
  failCreates: ((resource: string, obj: KubeObject) => Error | undefined) | undefined;
  requests: string[] = [];
  now: () => number = Date.now;

  private k(resource: string, ns: string | undefined, name: string) { return `${resource}/${ns ?? ''}/${name}`; }

  objectsOf<T extends KubeObject>(resource: string, ns?: string): T[] {
    return [...this.objects.entries()].filter(([k]) => k.startsWith(`${resource}/${ns === undefined ? '' : ns + '/'}`)).map(([, o]) => o as T);
  }

  private emit(resource: string, type: Ev['type'], object: KubeObject) {
    const ev = { rv: this.rv, resource, type, object: structuredClone(object) };
    this.log.push(ev);
    for (const w of this.watchers) if (w.resource === resource && (!w.ns || w.ns === object.metadata.namespace)) w.fn(ev);
  }

  private store(resource: string, obj: KubeObject, type: Ev['type']) {
    obj.metadata.resourceVersion = String(++this.rv);
    const [apiVersion, kind] = KINDS[resource] ?? ['v1', resource];
    obj.apiVersion = apiVersion; obj.kind = kind;
    this.objects.set(this.k(resource, obj.metadata.namespace, obj.metadata.name!), obj);
    this.emit(resource, type, obj);
    this.onWrite(type, resource, obj);
  }

  async get<T extends KubeObject>(ref: ResourceRef, name: string): Promise<T> {
    const o = this.objects.get(this.k(ref.resource, ref.namespace, name));
    if (!o) throw errors.notFound(ref.resource, name);
    return structuredClone(o) as T;
  }

  async list<T extends KubeObject>(ref: ResourceRef, q: ListQuery = {}): Promise<List<T>> {
    const sel = parseLabelSelector(q.labelSelector ?? '');
    const items = this.objectsOf<T>(ref.resource, ref.namespace).filter((o) => labelsMatch(sel, o.metadata.labels)).map((o) => structuredClone(o));
    return { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items };
  }

  async create<T extends KubeObject>(ref: ResourceRef, obj: T): Promise<T> {
    this.requests.push(`create ${ref.resource}`);
    const o = structuredClone(obj) as KubeObject;
    o.metadata.namespace = ref.namespace ?? o.metadata.namespace;
    const err = this.failCreates?.(ref.resource, o);
    if (err) throw err;
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName + randomUUID().slice(0, 5);
    if (this.objects.has(this.k(ref.resource, o.metadata.namespace, o.metadata.name!))) throw errors.alreadyExists(ref.resource, o.metadata.name!);
    o.metadata.uid = randomUUID();
    o.metadata.generation = 1;
    o.metadata.creationTimestamp = new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    this.store(ref.resource, o, 'ADDED');
    return structuredClone(o) as T;
  }

  private async write<T extends KubeObject>(ref: ResourceRef, name: string, change: (cur: KubeObject) => KubeObject, status: boolean): Promise<T> {
    const cur = await this.get(ref, name);
    const next = change(structuredClone(cur));
    if (next.metadata.uid !== cur.metadata.uid) throw errors.conflict(ref.resource, name, 'uid mismatch');
    if (next.metadata.resourceVersion && next.metadata.resourceVersion !== cur.metadata.resourceVersion) throw errors.staleResourceVersion(ref.resource, name);
    if (status) next.spec = cur.spec; else next.status = cur.status;
    if (!status && JSON.stringify(next.spec) !== JSON.stringify(cur.spec)) next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    if (cur.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      this.rv++;
      this.objects.delete(this.k(ref.resource, cur.metadata.namespace, name));
      this.emit(ref.resource, 'DELETED', { ...next, metadata: { ...next.metadata, resourceVersion: String(this.rv) } });
      return next as T;
    }
    this.store(ref.resource, next, 'MODIFIED');
    return structuredClone(next) as T;
  }

  update<T extends KubeObject>(ref: ResourceRef, obj: T): Promise<T> {
    return this.write(ref, obj.metadata.name!, () => structuredClone(obj), false);
  }
  updateStatus<T extends KubeObject>(ref: ResourceRef, obj: T): Promise<T> {
    return this.write(ref, obj.metadata.name!, () => structuredClone(obj), true);
  }
  private applyPatch(cur: KubeObject, patch: unknown, type: PatchType): KubeObject {
    if (type === 'json') return applyJsonPatch(cur, patch) as KubeObject;
    if (type === 'strategic') return applyStrategicMergePatch(cur, patch, cur.kind ?? '');
    return applyMergePatch(cur, patch) as KubeObject;
  }
  patch<T extends KubeObject>(ref: ResourceRef, name: string, patch: unknown, type: PatchType = 'merge'): Promise<T> {
    this.requests.push(`patch ${ref.resource}`);
    return this.write(ref, name, (cur) => this.applyPatch(cur, patch, type), false);
  }
  patchStatus<T extends KubeObject>(ref: ResourceRef, name: string, patch: unknown, type: PatchType = 'merge'): Promise<T> {
    this.requests.push(`status ${ref.resource}`);
    return this.write(ref, name, (cur) => this.applyPatch(cur, patch, type), true);
  }

  async delete<T extends KubeObject>(ref: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    this.requests.push(`delete ${ref.resource}`);
    const cur = await this.get(ref, name);
    const pre = (opts as { preconditions?: { uid?: string } }).preconditions;
    if (pre?.uid && pre.uid !== cur.metadata.uid) throw errors.conflict(ref.resource, name, 'Precondition failed: UID in precondition');
    const policy = (opts as { propagationPolicy?: string }).propagationPolicy;
    const finalizers = [...(cur.metadata.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (finalizers.length) {
      if (cur.metadata.deletionTimestamp && JSON.stringify(finalizers) === JSON.stringify(cur.metadata.finalizers)) return cur as T;
      cur.metadata.finalizers = finalizers;
      cur.metadata.deletionTimestamp ??= new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      this.store(ref.resource, cur, 'MODIFIED');
      return cur as T;
    }
    this.rv++;
    this.objects.delete(this.k(ref.resource, ref.namespace, name));
    this.emit(ref.resource, 'DELETED', { ...cur, metadata: { ...cur.metadata, resourceVersion: String(this.rv) } });
    return cur as T;
  }

  async bind(): Promise<Status> { throw new Error('bind not faked'); }
  async request(): Promise<Response> { throw new Error('request not faked'); }

  watch<T extends KubeObject>(ref: ResourceRef, q: WatchQuery, onEvent: (ev: WatchEventOf<T>) => void): WatchStream {
    let stop!: () => void;
    const done = new Promise<void>((resolve) => { stop = resolve; });
    const from = Number(q.resourceVersion ?? 0);
    const w = { resource: ref.resource, ns: ref.namespace, fn: (e: Ev) => onEvent({ type: e.type, object: structuredClone(e.object) as T }) };
    queueMicrotask(() => {
      for (const e of this.log) if (e.rv > from && e.resource === ref.resource && (!ref.namespace || e.object.metadata.namespace === ref.namespace)) w.fn(e);
      this.watchers.add(w);
    });
    return { stop: () => { this.watchers.delete(w); stop(); }, done };
  }
}

export function isNotFound(err: unknown): boolean { return isStatusError(err) && err.code === 404; }
