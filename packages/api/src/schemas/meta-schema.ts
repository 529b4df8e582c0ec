// metav1.ObjectMeta and ObjectReference as they appear on the wire.
import { bool, int, list, open, str, strList, strMap, struct, time } from './schema-builders.ts';

export const ownerReference = struct('OwnerReference', {
  apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool,
});

export const objectMeta = struct('ObjectMeta', {
  name: str, generateName: str, namespace: str, selfLink: str, uid: str, resourceVersion: str, generation: int,
  creationTimestamp: time, deletionTimestamp: time, deletionGracePeriodSeconds: int,
  labels: strMap, annotations: strMap, ownerReferences: list(ownerReference), finalizers: strList,
  managedFields: list(open),
});

export const objectReference = struct('ObjectReference', {
  kind: str, namespace: str, name: str, uid: str, apiVersion: str, resourceVersion: str, fieldPath: str,
});
