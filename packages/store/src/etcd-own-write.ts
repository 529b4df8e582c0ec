// A write this apiserver sends to etcd, serialized once. etcd's value is the object's JSON without resourceVersion
// (kube-apiserver's PrepareObjectForStorage: the key's mod_revision is the version); the watch cache's copy is the
// same JSON with the revision etcd gives the write, known only when its event comes back. Both come from one
// Stamping (stamp.ts).
import type { KubeObject } from '@podling/api';
import type { StoredObject } from './storage.ts';
import { Stamping } from './stamp.ts';

export class OwnWrite {
  /** etcd's value: the JSON without resourceVersion, as text (what the client thread is sent) and bytes. */
  readonly text: string;
  readonly value: Buffer;
  private readonly stamping: Stamping;

  /** `object` has no metadata.resourceVersion; `resource` picks the selectable fields of the stored copy. */
  constructor(resource: string, object: KubeObject) {
    const s = (this.stamping = new Stamping(resource, object));
    // The field and the comma that joins it to its neighbour (before it, unless it is metadata's only field).
    this.text = s.head.endsWith(',') ? s.head.slice(0, -1) + s.tail : s.head + s.tail;
    this.value = Buffer.from(this.text);
  }

  /** The stored copy at revision `rv`, as stamp(resource, object, rv) makes it, without serializing again. */
  stored(rv: number): StoredObject {
    return this.stamping.at(rv);
  }

  /** Whether writing this would leave `current` as it is. */
  sameAs(current: StoredObject): boolean {
    return this.stamping.sameAs(current);
  }
}
