// The strategy every workload kind shares (kubernetes pkg/registry/apps/*/strategy.go, batch/*/strategy.go): status
// is cleared on create and owned by the status subresource, defaults apply to every write of the main resource (as
// decoding defaults every body in kube-apiserver), spec changes bump metadata.generation, and /status writes keep
// the spec. The kind supplies its defaulting and validation.
import { isDNS1123Subdomain, validateWorkloadStatus, type FieldError, type KubeObject } from '@podling/api';
import { resetObjectMetaForStatus } from './object-meta.ts';
import type { PropagationPolicy, RegistryContext, Strategy, UpdateStrategy } from './strategy.ts';

export interface WorkloadRules<T extends KubeObject> {
  defaults(obj: T): void;
  validate(obj: T, ctx: RegistryContext): FieldError[];
  validateUpdate(obj: T, old: T, ctx: RegistryContext): FieldError[];
  nameValidator?: (name: string) => string[];
  /** Kind-specific create-time work after defaulting (the Job's generated selector). */
  prepareForCreate?(obj: T): void;
  generationSource?(obj: T): unknown;
  defaultPropagation?: PropagationPolicy;
  /** ControllerRevisions have no status and no generation. */
  noStatus?: boolean;
}

export function workloadStrategy<T extends KubeObject>(rules: WorkloadRules<T>): Strategy<T> {
  return {
    nameValidator: rules.nameValidator ?? isDNS1123Subdomain,
    tracksGeneration: !rules.noStatus,
    returnsDeletedObject: false,
    defaultPropagation: rules.defaultPropagation,
    generationSource: rules.generationSource,
    prepareForCreate(obj) {
      if (!rules.noStatus) (obj as KubeObject).status = {};
      rules.defaults(obj);
      rules.prepareForCreate?.(obj);
    },
    validate: (obj, ctx) => rules.validate(obj, ctx),
    prepareForUpdate(obj, old) {
      const o = obj as KubeObject;
      if (!rules.noStatus) {
        if (old.status === undefined) delete o.status; else o.status = old.status;
      }
      rules.defaults(obj);
    },
    validateUpdate: (obj, old, ctx) => rules.validateUpdate(obj, old, ctx),
  };
}

/** /status: only status changes; spec and user metadata stay as stored. */
export function workloadStatusStrategy<T extends KubeObject>(): UpdateStrategy<T> {
  return {
    prepareForUpdate(obj, old) {
      (obj as KubeObject).spec = old.spec;
      resetObjectMetaForStatus(obj, old);
    },
    validateUpdate: (obj) => validateWorkloadStatus(obj),
  };
}
