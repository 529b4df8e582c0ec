// DELETE as the generic store does it (apiserver pkg/registry/rest/delete.go, registry/generic/registry/store.go).
// Two phases: an object that must wait — a pod on a node with a grace period, an object with finalizers, or one whose
// propagationPolicy adds the `orphan` / `foregroundDeletion` finalizer for the garbage collector — only gets
// deletionTimestamp (watchers see MODIFIED); it goes when its grace is over and its last finalizer is removed.
// Anything else goes at once. A later delete may only shorten a grace period, counted from the original request.
import { errors, field, type DeleteOptions, type KubeObject, rfc3339 } from '@podling/api';
import type { StoredObject } from '@podling/store';
import type { Requester } from './admission.ts';
import type { Registry } from './registry.ts';
import { qualifiedResource, type Resource } from './resource.ts';
import type { PropagationPolicy } from './strategy.ts';

export interface DeleteResult {
  stored: StoredObject;
  /** False when the object still exists (graceful deletion pending or finalizers). */
  deleted: boolean;
}

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
const POLICIES: PropagationPolicy[] = ['Foreground', 'Background', 'Orphan'];

/** The explicit policy of a request, from propagationPolicy or the deprecated orphanDependents (422 when both). */
export function requestedPolicy(options: DeleteOptions): PropagationPolicy | undefined {
  const p = options.propagationPolicy;
  if (p !== undefined && options.orphanDependents !== undefined) {
    throw errors.invalid('DeleteOptions', '', [field.invalid('propagationPolicy', p, 'orphanDependents and deletionPropagation cannot be both set')], 'meta.k8s.io');
  }
  if (p !== undefined && !POLICIES.includes(p)) throw errors.invalid('DeleteOptions', '', [field.notSupported('propagationPolicy', p, POLICIES)], 'meta.k8s.io');
  if (options.orphanDependents !== undefined) return options.orphanDependents ? 'Orphan' : 'Background';
  return p;
}

/** The finalizers an object carries after a DELETE with this policy (store.go deletionFinalizersForGarbageCollection). */
function finalizersAfter(r: Resource, obj: KubeObject, policy: PropagationPolicy | undefined): string[] {
  const current = obj.metadata.finalizers ?? [];
  const has = (f: string) => current.includes(f);
  let want: PropagationPolicy = policy ?? (has(ORPHAN_FINALIZER) ? 'Orphan' : has(FOREGROUND_FINALIZER) ? 'Foreground'
    : r.strategy.defaultPropagation ?? 'Background');
  // An existing deletion in progress keeps its own choice unless the request names one.
  if (!policy && obj.metadata.deletionTimestamp) want = has(ORPHAN_FINALIZER) ? 'Orphan' : has(FOREGROUND_FINALIZER) ? 'Foreground' : 'Background';
  const rest = current.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (want === 'Orphan') return [...rest, ORPHAN_FINALIZER];
  if (want === 'Foreground') return [...rest, FOREGROUND_FINALIZER];
  return rest;
}

export async function deleteObject(reg: Registry, r: Resource, namespace: string | undefined, name: string,
  options: DeleteOptions, user?: Requester): Promise<DeleteResult> {
  const s = r.strategy;
  const key = reg.key(r, namespace, name);
  const cur = reg.get(r, namespace, name);
  checkPreconditions(r, name, cur, options);
  const obj = cur.object; // parsed once for the checks below
  reg.admit({
    operation: 'delete', apiGroup: r.group, resource: r.resource, subresource: '',
    namespace: obj.metadata.namespace ?? '', name, oldObject: obj, user,
  });
  const policy = requestedPolicy(options);
  const forbidden = s.forbidDelete?.(obj);
  if (forbidden) throw errors.forbidden(qualifiedResource(r), name, forbidden);
  if (options.dryRun?.length) return { stored: cur, deleted: false };

  if (s.markForDeletion?.(obj)) {
    const stored = await reg.storage.guaranteedUpdate(key, (latest) => {
      const obj = latest.object;
      const marked = s.markForDeletion!(obj);
      return marked && marked !== obj ? marked : null;
    });
    return { stored, deleted: false };
  }

  const requested = options.gracePeriodSeconds === undefined ? undefined : Math.max(options.gracePeriodSeconds, -1) < 0 ? 1 : options.gracePeriodSeconds;
  const grace = s.gracePeriod ? s.gracePeriod(obj, requested) : 0;
  const finalizers = finalizersAfter(r, obj, policy);
  const mustWait = grace > 0 || finalizers.length > 0 || !!obj.metadata.deletionTimestamp;
  if (!mustWait) return finalize(reg, r, name, cur, options);

  let stamped = false;
  const stored = await reg.storage.guaranteedUpdate(key, (latest) => {
    checkPreconditions(r, name, latest, options);
    const next = latest.object; // a fresh parse: ours to change
    const m = next.metadata;
    const wanted = finalizersAfter(r, next, policy);
    let changed = JSON.stringify(wanted) !== JSON.stringify(m.finalizers ?? []);
    if (wanted.length) m.finalizers = wanted; else delete m.finalizers;
    if (m.deletionTimestamp) {
      const existing = m.deletionGracePeriodSeconds ?? 0;
      if (existing !== 0 && grace < existing) {
        const start = Date.parse(m.deletionTimestamp) - existing * 1000;
        m.deletionTimestamp = rfc3339(new Date(start + grace * 1000));
        m.deletionGracePeriodSeconds = grace;
        changed = true;
      }
    } else {
      m.deletionTimestamp = rfc3339(new Date(Date.now() + grace * 1000));
      m.deletionGracePeriodSeconds = grace;
      if (m.generation) m.generation += 1;
      changed = true;
    }
    if (!changed) return null;
    stamped = true;
    return next;
  });
  const m = stored.object.metadata;
  const due = (m.deletionGracePeriodSeconds ?? 0) === 0;
  if (due && !(m.finalizers?.length) && (stamped || m.deletionTimestamp)) {
    return finalize(reg, r, name, stored, { preconditions: { uid: m.uid } });
  }
  return { stored, deleted: false };
}

async function finalize(reg: Registry, r: Resource, name: string, cur: StoredObject, options: DeleteOptions): Promise<DeleteResult> {
  const key = reg.key(r, cur.attrs.metadata.namespace, name);
  const stored = await reg.storage.delete(key, (latest) => checkPreconditions(r, name, latest, options));
  return { stored, deleted: true };
}

function checkPreconditions(r: Resource, name: string, cur: StoredObject, options: DeleteOptions): void {
  const p = options.preconditions;
  if (!p) return;
  const m = cur.object.metadata;
  if (p.uid && p.uid !== m.uid) {
    throw errors.conflict(qualifiedResource(r), name,
      `the UID in the precondition (${p.uid}) does not match the UID in record (${m.uid}). The object might have been deleted and then recreated`);
  }
  if (p.resourceVersion && p.resourceVersion !== String(cur.rv)) {
    throw errors.conflict(qualifiedResource(r), name,
      `the ResourceVersion in the precondition (${p.resourceVersion}) does not match the ResourceVersion in record (${cur.rv}). The object might have been modified`);
  }
}
