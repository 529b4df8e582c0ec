// System-owned metadata, set or preserved in one place (apiserver rest.FillObjectMetaSystemFields / BeforeUpdate).
import { randomUUID } from 'node:crypto';
import { errors, type KubeObject, rfc3339 } from '@podling/api';

export function fillSystemFieldsOnCreate(obj: KubeObject): void {
  const m = obj.metadata;
  m.uid = randomUUID();
  m.creationTimestamp = rfc3339();
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.managedFields;
}

/** Keeps what only the server may change (apiserver rest.BeforeUpdate): generation, deletion stamps and the
 *  creation time are taken from the stored object; a missing uid is filled in. A different uid is treated as a
 *  precondition (409), so a status write meant for a pod that was deleted and recreated cannot land on the new one. */
export function preserveSystemFieldsOnUpdate(obj: KubeObject, old: KubeObject, resource: string): void {
  const m = obj.metadata;
  const o = old.metadata;
  if (m.uid && m.uid !== o.uid) {
    throw errors.conflict(resource, o.name ?? '', `Precondition failed: UID in precondition: ${m.uid}, UID in object meta: ${o.uid}`);
  }
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.generation = o.generation;
  if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp; else delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  else delete m.deletionGracePeriodSeconds;
}

/**
 * A status write changes status only (apiserver rest.ResetObjectMetaForStatus): labels, annotations, finalizers and
 * owner references stay as stored; deletion stamps and generation already do (preserveSystemFieldsOnUpdate).
 * Kubernetes' older kinds reset less (pods/status keeps only ownerReferences), which let a node add a finalizer to
 * its pod through status and so outlive the pod's delete; here every status strategy calls this.
 */
export function resetObjectMetaForStatus(obj: KubeObject, old: KubeObject): void {
  const m = obj.metadata;
  const o = old.metadata;
  for (const k of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
    if (o[k] !== undefined) (m as Record<string, unknown>)[k] = o[k]; else delete m[k];
  }
}

/** Same JSON modulo key order of nothing: cheap structural equality good enough for "did the spec change". */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
