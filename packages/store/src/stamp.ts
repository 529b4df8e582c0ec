// The stored copy of an object, and the errors a write reports about its key.
import { selectorAttrs, type KubeObject } from '@podling/api';
import { StorageError, type ObjectKey, type StoredObject } from './storage.ts';

/** A log that states are read back from (sqlite-journal.ts): the text of the state written at `rv` while its row is
 *  kept; given the revision of the change that replaced it, also once that change's row carries it as prev_value. */
export interface StateReader {
  readState(rv: number, successorRv?: number): string | undefined;
}

/** One stored version held once: its JSON text, and the small skeleton that selectors read. The parsed object is not
 *  kept — a parsed pod costs several times its text in V8's heap, and lists and watches only need the text. A version
 *  read back from the log works its skeleton out on first use: a list without a selector never needs it. */
class StoredVersion implements StoredObject {
  #attrs: KubeObject | undefined;
  readonly #resource: string;
  constructor(readonly json: string, readonly rv: number, resource: string, attrs?: KubeObject) {
    this.#resource = resource;
    this.#attrs = attrs;
  }
  get attrs(): KubeObject { return this.#attrs ??= selectorAttrs(this.#resource, JSON.parse(this.json) as KubeObject); }
  get object(): KubeObject { return JSON.parse(this.json) as KubeObject; }
}

/** Lets a published version's text go once nothing but the watch window reads it (a state a later write replaced).
 *  It keeps its skeleton, which watch triggers and selectors read at every replay; its text
 *  is read from then on from the log: the row of `rv`, or once that row is gone the `prev_value` of the change at
 *  `successorRv` that replaced it. */
export function releaseText(v: StoredObject, reader: StateReader, successorRv: number): void {
  if (!(v instanceof StoredVersion)) return;
  const rv = v.rv;
  // The own `json` field becomes an own getter (and stays one if released again with a later successor): versions
  // in use keep their plain field, and a comparison of two versions still compares their texts.
  Object.defineProperty(v, 'json', {
    enumerable: true, configurable: true,
    get(): string {
      const json = reader.readState(rv, successorRv);
      // Only a reader that held the version past the window's turnover gets here: as an expired continue token, 410.
      if (json === undefined) throw new StorageError('Expired', undefined, `the state at revision ${rv} is no longer retained`);
      return json;
    },
  });
}

/** The stored copy: the caller's object with metadata.resourceVersion set, serialized once. `resource` picks the
 *  selectable fields kept in attrs. Shallow copies only (top level and metadata); the caller must not mutate nested
 *  fields of what it passed in. */
export function stamp(resource: string, obj: KubeObject, rv: number): StoredObject {
  return storedVersion(resource, { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } }, rv);
}

/** A version built outside the store (a dry run's answer, a watch event's restamped state): `object` already
 *  carries its resourceVersion. */
export function storedVersion(resource: string, object: KubeObject, rv: number): StoredObject {
  return new StoredVersion(JSON.stringify(object), rv, resource, selectorAttrs(resource, object));
}

/** A stored copy whose text and attributes are already made (etcd-own-write.ts). */
export function storedJson(json: string, rv: number, attrs: KubeObject): StoredObject {
  return new StoredVersion(json, rv, '', attrs);
}

/** The stored copy of JSON text read back from a log (it already carries its resourceVersion). */
export function storedFromJson(resource: string, json: string, rv: number): StoredObject {
  return new StoredVersion(json, rv, resource);
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
