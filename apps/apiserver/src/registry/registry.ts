// The one fixed pipeline every core/v1 write goes through: decode → namespace checks → system fields → strategy →
// validate → storage. Per-resource policy lives in the strategies; storage errors are translated at the HTTP boundary.
import {
  decodeObject, errors, generateName, type KubeObject,
} from '@podling/api';
import { isStorageError, type ListResult, type ObjectKey, type Storage, type StoredObject } from '@podling/store';
import { admitAll, groupOf, type Admit, type Requester } from './admission.ts';
import { fillSystemFieldsOnCreate } from './object-meta.ts';
import type { RegistryContext, Strategy } from './strategy.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  /** Who asks, for admission; undefined for the apiserver's own writes. */
  user?: Requester;
}

export interface WriteResult {
  stored: StoredObject;
  warnings: string[];
  /** True when a create happened (201), e.g. server-side apply of a missing object. */
  created?: boolean;
}

const MAX_GENERATE_ATTEMPTS = 8;

export class Registry {
  constructor(readonly storage: Storage, readonly ctx: RegistryContext, readonly admit: Admit = admitAll) {}

  key(s: Strategy, namespace: string | undefined, name: string): ObjectKey {
    return { resource: s.resource, namespace: s.namespaced ? namespace ?? '' : '', name };
  }

  get(s: Strategy, namespace: string | undefined, name: string): StoredObject {
    const found = this.storage.get(this.key(s, namespace, name));
    if (!found) throw errors.notFound(s.resource, name);
    return found;
  }

  list(s: Strategy, namespace: string | undefined, opts: { filter?: (o: KubeObject) => boolean; limit?: number; continue?: string }): ListResult {
    return this.storage.list(s.resource, { namespace: s.namespaced ? namespace || undefined : undefined, ...opts });
  }

  /** Decodes a body into `kind`, checking kind/apiVersion and types; unknown fields per fieldValidation. */
  decode(s: Strategy, raw: unknown, fieldValidation: FieldValidation | undefined): { object: KubeObject; warnings: string[] } {
    if (raw === undefined || raw === null) throw errors.badRequest(`${s.kind} in version "${s.apiVersion}" cannot be handled as a ${s.kind}: the request body is empty`);
    const { object, warnings } = decodeObject<KubeObject>(s.kind, raw, { fieldValidation: fieldValidation ?? 'Warn' });
    object.apiVersion = s.apiVersion;
    object.kind = s.kind;
    object.metadata ??= {};
    return { object, warnings };
  }

  /** Namespace must exist and not be terminating (NamespaceLifecycle admission). */
  checkNamespaceOpen(s: Strategy, namespace: string, name: string): void {
    if (!s.namespaced) return;
    const ns = this.storage.get({ resource: 'namespaces', namespace: '', name: namespace });
    if (!ns) throw errors.notFound('namespaces', namespace);
    if (ns.object.metadata.deletionTimestamp) {
      throw errors.forbidden(s.resource, name,
        `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  async create(s: Strategy, namespace: string | undefined, raw: unknown, opts: WriteOptions = {}): Promise<WriteResult> {
    const { object: obj, warnings } = this.decode(s, raw, opts.fieldValidation);
    const meta = obj.metadata;
    if (s.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
    } else {
      delete meta.namespace;
    }
    if (meta.resourceVersion) throw errors.internal('resourceVersion should not be set on objects to be created');
    const displayName = meta.name || meta.generateName || '';
    if (s.namespaced) this.checkNamespaceOpen(s, meta.namespace ?? '', displayName);
    this.admit({
      operation: 'create', apiGroup: groupOf(s.apiVersion), resource: s.resource, subresource: '',
      namespace: meta.namespace ?? '', name: meta.name ?? '', object: obj, user: opts.user,
    });
    fillSystemFieldsOnCreate(obj);
    if (s.tracksGeneration) meta.generation = 1;
    s.prepareForCreate(obj, this.ctx);
    const generate = !meta.name && !!meta.generateName;
    if (generate) meta.name = generateName(meta.generateName!);
    const errs = s.validate(obj, this.ctx);
    if (errs.length) throw errors.invalid(s.kind, displayName, errs);
    warnings.push(...(s.warningsOnCreate?.(obj) ?? []));
    if (opts.dryRun) return { stored: { object: obj, json: JSON.stringify(obj), rv: 0 }, warnings, created: true };
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.storage.create(this.key(s, meta.namespace, meta.name!), obj);
        return { stored, warnings, created: true };
      } catch (e) {
        if (!isStorageError(e, 'KeyExists')) throw e;
        if (!generate) {
          const existing = this.storage.get(this.key(s, meta.namespace, meta.name!));
          throw errors.alreadyExists(s.resource, meta.name!, !!existing?.object.metadata.deletionTimestamp);
        }
        if (attempt >= MAX_GENERATE_ATTEMPTS) throw errors.generateNameConflict(s.resource, meta.name!);
        meta.name = generateName(meta.generateName!);
      }
    }
  }
}
