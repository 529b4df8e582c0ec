// System-owned metadata, set or preserved in one place (apiserver rest.FillObjectMetaSystemFields / BeforeUpdate).
import { randomUUID } from 'node:crypto';
import { errors, field, type FieldError, type KubeObject } from '@podling/api';
import { rfc3339 } from './strategy.ts';

export function fillSystemFieldsOnCreate(obj: KubeObject): void {
  const m = obj.metadata;
  m.uid = randomUUID();
  m.creationTimestamp = rfc3339();
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.managedFields;
}

/** Keeps what only the server may change, and reports attempts to change identity. */
export function preserveSystemFieldsOnUpdate(obj: KubeObject, old: KubeObject, resource: string): FieldError[] {
  const m = obj.metadata;
  const o = old.metadata;
  const errs: FieldError[] = [];
  if (m.uid && m.uid !== o.uid) {
    throw errors.conflict(resource, o.name ?? '', `Precondition failed: UID in precondition: ${m.uid}, UID in object meta: ${o.uid}`);
  }
  if (m.creationTimestamp && m.creationTimestamp !== o.creationTimestamp) {
    errs.push(field.invalid('metadata.creationTimestamp', m.creationTimestamp, 'field is immutable'));
  }
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.generation = o.generation;
  if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp; else delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  else delete m.deletionGracePeriodSeconds;
  if (o.deletionTimestamp) {
    const added = (m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (added.length) {
      errs.push(field.forbidden('metadata.finalizers',
        `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  return errs;
}

/** Same JSON modulo key order of nothing: cheap structural equality good enough for "did the spec change". */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
