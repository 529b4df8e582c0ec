// The stored copy of an object, and the errors a write reports about its key.
import type { KubeObject } from '@podling/api';
import { StorageError, type ObjectKey, type StoredObject } from './storage.ts';

/** The stored copy: the caller's object with metadata.resourceVersion set, serialized once. Shallow copies only
 *  (top level and metadata); the caller must not mutate nested fields of what it passed in. */
export function stamp(obj: KubeObject, rv: number): StoredObject {
  const object: KubeObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
  return { object, json: JSON.stringify(object), rv };
}

export function copyKey(key: ObjectKey): ObjectKey {
  return { resource: key.resource, namespace: key.namespace, name: key.name };
}

export function describeKey(key: ObjectKey): string {
  return key.namespace ? `${key.resource} "${key.namespace}/${key.name}"` : `${key.resource} "${key.name}"`;
}

export function notFound(key: ObjectKey): StorageError {
  return new StorageError('NotFound', key, `${describeKey(key)} not found`);
}

export function unavailable(key: ObjectKey): StorageError {
  return new StorageError('Unavailable', key, 'storage is closed');
}
