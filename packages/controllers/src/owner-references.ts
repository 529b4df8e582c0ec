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

/** Adds CONTROLLER_UID_INDEX to a (shared) informer; a no-op when another controller already did. */
export function indexByController(informer: { addIndex(name: string, fn: (obj: KubeObject) => string[]): void }): void {
  informer.addIndex(CONTROLLER_UID_INDEX, controllerUidKeys);
}

/** The objects of `namespace` whose controller is `uid`, from an informer indexed by CONTROLLER_UID_INDEX. */
export function controlledBy<T extends KubeObject>(informer: { byIndex(name: string, value: string): T[] }, uid: string | undefined, namespace: string): T[] {
  return informer.byIndex(CONTROLLER_UID_INDEX, uid ?? '').filter((o) => (o.metadata.namespace ?? '') === namespace);
}

/**
 * What an owner may claim: the objects it controls and the orphans of its namespace, from an informer indexed by
 * CONTROLLER_UID_INDEX — instead of every object of the namespace (or, for DaemonSets and StatefulSets, of the
 * cluster), which made each sync walk all 30,000 pods (k/k's ReplicaSet and Job controllers read the same index for
 * the same reason). The namespace is checked as well: a UID names one owner, but any object may say it is
 * controlled by it.
 */
export function claimCandidates<T extends KubeObject>(informer: { byIndex(name: string, value: string): T[] }, owner: KubeObject): T[] {
  const ns = owner.metadata.namespace ?? '';
  return [...controlledBy(informer, owner.metadata.uid, ns), ...informer.byIndex(CONTROLLER_UID_INDEX, orphansOf(ns))];
}
