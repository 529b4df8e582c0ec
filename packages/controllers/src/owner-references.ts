// ownerReferences as controllers use them (apimachinery pkg/apis/meta/v1 controller_ref.go): the one reference
// with `controller: true` names the object's managing controller; a new dependent gets one that also blocks its
// owner's foreground deletion.
import type { KubeObject, OwnerReference } from '@podling/api';

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export interface OwnerKind { apiVersion: string; kind: string }

/** metav1.NewControllerRef. */
export function newControllerRef(owner: KubeObject, kind: OwnerKind): OwnerReference {
  return { apiVersion: kind.apiVersion, kind: kind.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** `namespace/name`, the key of work queues and expectations. */
export function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

export function splitKey(key: string): [namespace: string, name: string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
