// A write this apiserver sends to etcd, serialized once. etcd's value is the object's JSON without resourceVersion
// (kube-apiserver's PrepareObjectForStorage: the key's mod_revision is the version); the watch cache's copy is the
// same JSON with the revision etcd gives the write, known only when its event comes back. Both come from one
// JSON.stringify with a marker where resourceVersion goes, as stamp() would place it (last in metadata). The marker
// holds a random token of this process, so no stored content can contain it.
import { randomUUID } from 'node:crypto';
import { selectorAttrs, type KubeObject } from '@podling/api';
import type { StoredObject } from './storage.ts';
import { storedJson } from './stamp.ts';

const MARK = `\u0000${randomUUID()}`;
const FIELD = `"resourceVersion":${JSON.stringify(MARK)}`;

export class OwnWrite {
  /** etcd's value: the JSON without resourceVersion, as text (what the client thread is sent) and bytes. */
  readonly text: string;
  readonly value: Buffer;
  private readonly head: string;
  private readonly tail: string;
  private readonly attrs: KubeObject;

  /** `object` has no metadata.resourceVersion; `resource` picks the selectable fields of the stored copy. */
  constructor(resource: string, object: KubeObject) {
    this.attrs = selectorAttrs(resource, object);
    const json = JSON.stringify({ ...object, metadata: { ...object.metadata, resourceVersion: MARK } });
    const at = json.indexOf(FIELD);
    this.head = json.slice(0, at);
    this.tail = json.slice(at + FIELD.length);
    // The field and the comma that joins it to its neighbour (before it, unless it is metadata's only field).
    this.text = this.head.endsWith(',') ? this.head.slice(0, -1) + this.tail : this.head + this.tail;
    this.value = Buffer.from(this.text);
  }

  /** The stored copy at revision `rv`, as stamp(resource, object, rv) makes it, without serializing again. */
  stored(rv: number): StoredObject {
    return storedJson(`${this.head}"resourceVersion":"${rv}"${this.tail}`, rv, this.attrs);
  }
}
