// Admission: policy that depends on who is writing, run by the write pipeline on the object about to be written
// (kube-apiserver's mutating admission sits at the same point: after decoding and patching, before the strategy's
// PrepareForCreate/PrepareForUpdate, and for a delete once the object has been read). A plugin throws a Status
// error to refuse. Because it runs on objects the pipeline already read, a write to a missing object is the
// store's 404 before any plugin sees it, as in Kubernetes.
import type { KubeObject } from '@podling/api';

/** Who is writing, as authentication found them. Absent for the apiserver's own housekeeping. */
export interface Requester {
  name: string;
  groups: string[];
}

export interface AdmissionAttributes {
  operation: 'create' | 'update' | 'delete';
  /** '' for the core group. */
  apiGroup: string;
  /** URL plural, e.g. "pods". */
  resource: string;
  /** 'status' for the status subresource, '' for the main resource. */
  subresource: string;
  namespace: string;
  /** metadata.name; '' for a create that asks for a generated name. */
  name: string;
  /** The object to be stored (create, update). */
  object?: KubeObject;
  /** The stored object (update, delete). */
  oldObject?: KubeObject;
  user?: Requester;
}

/** Refuses by throwing a StatusError; returns normally to admit. */
export type Admit = (a: AdmissionAttributes) => void;

export const admitAll: Admit = () => {};
