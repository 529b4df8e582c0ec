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

/** The informer index of dependents by their controller's UID (k/k controller.PodControllerUIDIndex); objects
 *  without a controller are filed as their namespace's orphans, the only other ones an owner may adopt. */
export const CONTROLLER_UID_INDEX = 'controllerUID';

const orphansOf = (namespace: string) => `orphan\u0000${namespace}`;

export function controllerUidKeys(obj: KubeObject): string[] {
  return [controllerRefOf(obj)?.uid ?? orphansOf(obj.metadata.namespace ?? '')];
}

/**
 * What an owner may claim: the objects it controls and the orphans of its namespace, from an informer indexed by
 * CONTROLLER_UID_INDEX — instead of every object of the namespace, which made each ReplicaSet sync walk all 30,000
 * pods of a namespace (k/k's ReplicaSet controller reads the same index for the same reason). The namespace is
 * checked as well: a UID names one owner, but any object may say it is controlled by it.
 */
export function claimCandidates<T extends KubeObject>(informer: { byIndex(name: string, value: string): T[] }, owner: KubeObject): T[] {
  const ns = owner.metadata.namespace ?? '';
  const controlled = informer.byIndex(CONTROLLER_UID_INDEX, owner.metadata.uid ?? '').filter((o) => (o.metadata.namespace ?? '') === ns);
  return [...controlled, ...informer.byIndex(CONTROLLER_UID_INDEX, orphansOf(ns))];
}
