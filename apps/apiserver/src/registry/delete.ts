// DELETE with Kubernetes' graceful deletion (apiserver pkg/registry/rest/delete.go, generic store Delete).
// Two phases: the first delete of a pod on a node only stamps deletionTimestamp (watchers see MODIFIED) and the
// node's agent finishes with a grace-0 delete; grace 0, unscheduled or terminal pods go at once (MODIFIED, then
// DELETED, in one commit). A later delete may only shorten the grace, counted from the original request.
import { errors, type DeleteOptions, type KubeObject } from '@podling/api';
import type { StoredObject } from '@podling/store';
import type { Registry } from './registry.ts';
import { groupOf, type Requester } from './admission.ts';
import { rfc3339, type Strategy } from './strategy.ts';

export interface DeleteResult {
  stored: StoredObject;
  /** False when the object still exists (graceful deletion pending or finalizers). */
  deleted: boolean;
}

export async function deleteObject(reg: Registry, s: Strategy, namespace: string | undefined, name: string,
  options: DeleteOptions, user?: Requester): Promise<DeleteResult> {
  const key = reg.key(s, namespace, name);
  const cur = reg.get(s, namespace, name);
  checkPreconditions(s, name, cur, options);
  reg.admit({
    operation: 'delete', apiGroup: groupOf(s.apiVersion), resource: s.resource, subresource: '',
    namespace: cur.object.metadata.namespace ?? '', name, oldObject: cur.object, user,
  });
  const forbidden = s.forbidDelete?.(cur.object);
  if (forbidden) throw errors.forbidden(s.resource, name, forbidden);
  if (options.dryRun?.length) return { stored: cur, deleted: false };
  const requested = options.gracePeriodSeconds === undefined ? undefined : Math.max(options.gracePeriodSeconds, -1) < 0 ? 1 : options.gracePeriodSeconds;

  if (s.resource === 'namespaces') return markNamespaceTerminating(reg, key, cur);
  if (!s.gracePeriod) return finalize(reg, s, name, cur, options);

  const grace = s.gracePeriod(cur.object, requested);
  let stamped = false;
  const stored = await reg.storage.guaranteedUpdate(key, (latest) => {
    checkPreconditions(s, name, latest, options);
    const m = latest.object.metadata;
    if (m.deletionTimestamp) {
      const existing = m.deletionGracePeriodSeconds ?? 0;
      if (existing === 0 || grace >= existing) return null;
      const next = structuredClone(latest.object);
      const start = Date.parse(m.deletionTimestamp) - existing * 1000;
      next.metadata.deletionTimestamp = rfc3339(new Date(start + grace * 1000));
      next.metadata.deletionGracePeriodSeconds = grace;
      stamped = true;
      return next;
    }
    const next = structuredClone(latest.object);
    next.metadata.deletionTimestamp = rfc3339(new Date(Date.now() + grace * 1000));
    next.metadata.deletionGracePeriodSeconds = grace;
    if (next.metadata.generation) next.metadata.generation += 1;
    stamped = true;
    return next;
  });
  const m = stored.object.metadata;
  const due = (m.deletionGracePeriodSeconds ?? 0) === 0;
  if (due && !(m.finalizers?.length) && (stamped || m.deletionTimestamp)) {
    return finalize(reg, s, name, stored, { preconditions: { uid: m.uid } });
  }
  return { stored, deleted: false };
}

async function finalize(reg: Registry, s: Strategy, name: string, cur: StoredObject, options: DeleteOptions): Promise<DeleteResult> {
  const key = reg.key(s, cur.object.metadata.namespace, name);
  const stored = await reg.storage.delete(key, (latest) => checkPreconditions(s, name, latest, options));
  return { stored, deleted: true };
}

/** A namespace delete marks it Terminating; the namespace controller removes its content, then the namespace. */
async function markNamespaceTerminating(reg: Registry, key: { resource: string; namespace: string; name: string }, cur: StoredObject): Promise<DeleteResult> {
  if (cur.object.metadata.deletionTimestamp) return { stored: cur, deleted: false };
  const stored = await reg.storage.guaranteedUpdate(key, (latest) => {
    if (latest.object.metadata.deletionTimestamp) return null;
    const next = structuredClone(latest.object) as KubeObject & { status?: { phase?: string } };
    next.metadata.deletionTimestamp = rfc3339();
    next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    return next;
  });
  return { stored, deleted: false };
}

function checkPreconditions(s: Strategy, name: string, cur: StoredObject, options: DeleteOptions): void {
  const p = options.preconditions;
  if (!p) return;
  const m = cur.object.metadata;
  if (p.uid && p.uid !== m.uid) {
    throw errors.conflict(s.resource, name,
      `the UID in the precondition (${p.uid}) does not match the UID in record (${m.uid}). The object might have been deleted and then recreated`);
  }
  if (p.resourceVersion && p.resourceVersion !== String(cur.rv)) {
    throw errors.conflict(s.resource, name,
      `the ResourceVersion in the precondition (${p.resourceVersion}) does not match the ResourceVersion in record (${cur.rv}). The object might have been modified`);
  }
}
