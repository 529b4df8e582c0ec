// The stored copy of an object, and the errors a write reports about its key.
import { randomUUID } from 'node:crypto';
import { selectorAttrs, type KubeObject } from '@podling/api';
import { StorageError, type ObjectKey, type StoredObject } from './storage.ts';

/** A log that states are read back from (sqlite-journal.ts): the text of the state written at `rv` while its row is
 *  kept; given the revision of the change that replaced it, also once that change's row carries it as prev_value. */
export interface StateReader {
  readState(rv: number, successorRv?: number): string | undefined;
}

/** One stored version held once: its JSON text, and the small skeleton that selectors read. The parsed object is not
 *  kept — a parsed pod costs several times its text in V8's heap, and lists and watches only need the text. A version
 *  read back from the log works its skeleton out on first use: a list without a selector never needs it. Its fields
 *  are fixed at construction: releasing the text swaps a field's value, where redefining `json` as an own getter
 *  would turn the object into a dictionary (~430 bytes of properties each, 16 MiB at the end of bench/scale.ts). */
class StoredVersion implements StoredObject {
  /** The text, or once released the log it is read back from. */
  #text: string | StateReader;
  #successorRv: number | undefined;
  /** The skeleton, or until it is worked out the resource that picks its fields. */
  #attrs: KubeObject | string;
  constructor(json: string, readonly rv: number, resource: string, attrs?: KubeObject) {
    this.#text = json;
    this.#successorRv = undefined;
    this.#attrs = attrs ?? resource;
  }
  get json(): string {
    const text = this.#text;
    if (typeof text === 'string') return text;
    const json = text.readState(this.rv, this.#successorRv);
    // Only a reader that held the version past the window's turnover gets here: as an expired continue token, 410.
    if (json === undefined) throw new StorageError('Expired', undefined, `the state at revision ${this.rv} is no longer retained`);
    return json;
  }
  get attrs(): KubeObject {
    const attrs = this.#attrs;
    if (typeof attrs !== 'string') return attrs;
    return this.#attrs = selectorAttrs(attrs, JSON.parse(this.json) as KubeObject);
  }
  get object(): KubeObject { return JSON.parse(this.json) as KubeObject; }
  /** Text and revision, as the own fields of a plain object would serialize. */
  toJSON(): { json: string; rv: number } { return { json: this.json, rv: this.rv }; }
  /** See releaseText; a later release (with a later successor) replaces an earlier one. */
  release(reader: StateReader, successorRv: number | undefined): void {
    this.#text = reader;
    this.#successorRv = successorRv;
  }
}

/** Lets a published version's text go once nothing but the watch window reads it (a state a later write replaced,
 *  or any state of a resource whose objects live in the log). It keeps its skeleton, which watch triggers and
 *  selectors read at every replay; its text is read from then on from the log: the row of `rv`, or once that row is
 *  gone the `prev_value` of the change at `successorRv` that replaced it (none for a state not yet replaced: its own
 *  row is kept while its change is in the window). */
export function releaseText(v: StoredObject, reader: StateReader, successorRv?: number): void {
  if (v instanceof StoredVersion) v.release(reader, successorRv);
}

/** The stored copy: the caller's object with metadata.resourceVersion set, serialized once. `resource` picks the
 *  selectable fields kept in attrs. Shallow copies only (top level and metadata); the caller must not mutate nested
 *  fields of what it passed in. */
export function stamp(resource: string, obj: KubeObject, rv: number): StoredObject {
  return new Stamping(resource, obj).at(rv);
}

// The marker holds a random token of this process, so no stored content can contain it.
const MARK = `\u0000${randomUUID()}`;
const MARK_FIELD = `"resourceVersion":${JSON.stringify(MARK)}`;

/** An object serialized once, before its revision is known: the text around a marker where resourceVersion goes
 *  (last in metadata, unless the object already has the key). From it the stored copy at any revision is a concatenation, and an update that changes
 *  nothing is told by comparing texts, as kube-apiserver's etcd3 store compares the encoded bytes in
 *  GuaranteedUpdate (k8s.io/apiserver pkg/storage/etcd3/store.go) — one JSON.stringify per update, not two. */
export class Stamping {
  readonly head: string;
  readonly tail: string;
  readonly attrs: KubeObject;

  /** Throws what JSON.stringify throws for an object that cannot be serialized. */
  constructor(resource: string, obj: KubeObject) {
    this.attrs = selectorAttrs(resource, obj);
    const json = JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: MARK } });
    const at = json.indexOf(MARK_FIELD);
    this.head = json.slice(0, at);
    this.tail = json.slice(at + MARK_FIELD.length);
  }

  /** The stored copy at revision `rv`. */
  at(rv: number): StoredObject {
    return new StoredVersion(`${this.head}"resourceVersion":"${rv}"${this.tail}`, rv, '', this.attrs);
  }

  /** Whether `v`'s text is this object's at v's own revision: writing it would change nothing. */
  sameAs(v: StoredObject): boolean {
    const json = v.json;
    const field = `"resourceVersion":"${v.rv}"`;
    return json.length === this.head.length + field.length + this.tail.length
      && json.startsWith(this.head) && json.startsWith(field, this.head.length) && json.endsWith(this.tail);
  }
}

/** A version built outside the store (a dry run's answer, a watch event's restamped state): `object` already
 *  carries its resourceVersion. */
export function storedVersion(resource: string, object: KubeObject, rv: number): StoredObject {
  return new StoredVersion(JSON.stringify(object), rv, resource, selectorAttrs(resource, object));
}

/** A second holder of the same text and skeleton, whose text stays when the other's is released. */
export function copyVersion(v: StoredObject): StoredObject {
  return new StoredVersion(v.json, v.rv, '', v.attrs);
}

/** The stored copy of JSON text read back from a log (it already carries its resourceVersion). */
export function storedFromJson(resource: string, json: string, rv: number): StoredObject {
  return new StoredVersion(json, rv, resource);
}

/** The key a change keeps, made of the stored object's own strings where they are equal: a key read from a request's
 *  URL holds its name and namespace as slices of the whole URL, which V8 keeps alive with them, and the object's
 *  namespace is one shared string (selectorAttrs). */
export function copyKey(key: ObjectKey, stored: StoredObject): ObjectKey {
  const { name, namespace } = stored.attrs.metadata;
  return {
    resource: key.resource,
    namespace: namespace === key.namespace ? namespace : key.namespace,
    name: name === key.name ? name : key.name,
  };
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
