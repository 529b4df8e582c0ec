// Per-kind policy, called by the one fixed pipeline of the generic store (as kube-apiserver's rest.BeforeCreate /
// BeforeUpdate / BeforeDelete call a strategy). A strategy never touches storage; it only shapes and judges objects.
import type { FieldError, KubeObject } from '@podling/api';
import type { ServiceAllocator } from './service-allocator.ts';

export interface RegistryContext {
  allowPrivileged: boolean;
  /** ClusterIP and NodePort allocation for Services (server.ts builds one over the store). */
  serviceAllocator?: ServiceAllocator;
}

/** How an update through the main resource or one subresource (status, finalize) treats the incoming object. */
export interface UpdateStrategy<T extends KubeObject = KubeObject> {
  /** Copies back what this path may not change, e.g. status from the stored object on a main-resource update. */
  prepareForUpdate(obj: T, old: T): void;
  validateUpdate(obj: T, old: T, ctx: RegistryContext): FieldError[];
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface Strategy<T extends KubeObject = KubeObject> extends UpdateStrategy<T> {
  /** Validates metadata.name (returns Kubernetes' detail messages). */
  nameValidator(name: string): string[];
  /** Whether spec changes bump metadata.generation (1 on create). */
  tracksGeneration: boolean;
  /** What counts as a spec change for generation (default `spec`; Deployments add metadata.annotations). */
  generationSource?(obj: T): unknown;
  prepareForCreate(obj: T, ctx: RegistryContext): void;
  validate(obj: T, ctx: RegistryContext): FieldError[];
  warningsOnCreate?(obj: T): string[];
  /** Grace period a DELETE gets (pods only); without it an object without finalizers goes at once. */
  gracePeriod?(obj: T, requested: number | undefined): number;
  /**
   * A DELETE of a kind that empties itself first (namespaces): returns the object marked as terminating to store
   * instead of deleting it, or undefined when the ordinary deletion may go ahead.
   */
  markForDeletion?(obj: T): T | undefined;
  /** Body of a successful DELETE: the object (pods, namespaces) or a Success Status. */
  returnsDeletedObject: boolean;
  /** Refuse deletes (e.g. the built-in namespaces); returns a detail message. */
  forbidDelete?(obj: T): string | undefined;
  /** propagationPolicy of a DELETE that names none (batch/v1 Job and v1 ReplicationController keep Orphan). */
  defaultPropagation?: PropagationPolicy;
}

