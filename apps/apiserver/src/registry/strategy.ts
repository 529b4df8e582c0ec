// Per-resource policy, called by the one fixed pipeline in registry.ts (as kube-apiserver's rest.BeforeCreate /
// BeforeUpdate / BeforeDelete call a strategy). A strategy never touches storage.
import type { FieldError, KubeObject } from '@podling/api';

export interface RegistryContext {
  allowPrivileged: boolean;
}

export type DecodeKind = 'Pod' | 'Node' | 'Namespace' | 'Event' | 'Lease';

export interface Strategy<T extends KubeObject = KubeObject> {
  /** URL plural, e.g. "pods". */
  resource: string;
  /** "v1" for the core group, "<group>/<version>" otherwise. */
  apiVersion: string;
  kind: DecodeKind;
  listKind: string;
  namespaced: boolean;
  singular: string;
  /** Validates metadata.name (returns Kubernetes' detail messages). */
  nameValidator(name: string): string[];
  prepareForCreate(obj: T, ctx: RegistryContext): void;
  validate(obj: T, ctx: RegistryContext): FieldError[];
  warningsOnCreate?(obj: T): string[];
  /** Main resource update: e.g. keep status from the old object. */
  prepareForUpdate(obj: T, old: T): void;
  validateUpdate(obj: T, old: T, ctx: RegistryContext): FieldError[];
  /** Whether spec changes bump metadata.generation. */
  tracksGeneration: boolean;
  /** The /status subresource, when the kind has one. */
  status?: {
    prepareForUpdate(obj: T, old: T): void;
    validateUpdate(obj: T, old: T, ctx: RegistryContext): FieldError[];
  };
  /** Grace period a DELETE gets; undefined means the kind is always deleted at once. */
  gracePeriod?(obj: T, requested: number | undefined): number;
  /** Body of a successful DELETE: the object (pods, namespaces) or a Success Status. */
  returnsDeletedObject: boolean;
  /** Refuse deletes (e.g. the built-in namespaces); returns a detail message. */
  forbidDelete?(obj: T): string | undefined;
}

/** metav1.Time: RFC 3339 at whole seconds, UTC. */
export function rfc3339(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
