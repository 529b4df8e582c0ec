// The generic store: the one fixed pipeline every write of every kind goes through, from clients and from the
// control plane's own housekeeping alike: decode → namespace checks → system fields → strategy → validate → storage.
// Per-kind policy lives in the strategies (kube-apiserver pkg/registry/generic/registry/store.go); storage errors are
// translated at the HTTP boundary.
import {
  decodeObject, errors, generateName, type DeleteOptions, type KubeObject, type Namespace,
} from '@podling/api';
import { isStorageError, storedVersion, type ListOptions, type ListResult, type ObjectKey, type Storage, type StoredObject } from '@podling/store';
import { admitAll, type Admit, type Requester } from './admission.ts';
import { deleteObject, type DeleteResult } from './delete.ts';
import { fillSystemFieldsOnCreate } from './object-meta.ts';
import { qualifiedResource, type Resource } from './resource.ts';
import type { RegistryContext } from './strategy.ts';
import { patchObject, updateObject, type PatchKind } from './update.ts';

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

  key(r: Resource, namespace: string | undefined, name: string): ObjectKey {
    return { resource: r.resource, namespace: r.namespaced ? namespace ?? '' : '', name };
  }

  get(r: Resource, namespace: string | undefined, name: string): StoredObject {
    const found = this.storage.get(this.key(r, namespace, name));
    if (!found) throw errors.notFound(qualifiedResource(r), name);
    return found;
  }

  list(r: Resource, namespace: string | undefined, opts: Omit<ListOptions, 'namespace'>): ListResult {
    return this.storage.list(r.resource, { namespace: r.namespaced ? namespace || undefined : undefined, ...opts });
  }

  /** Decodes a body into `kind`, checking kind/apiVersion and types; unknown fields per fieldValidation. */
  decode(r: Resource, raw: unknown, fieldValidation: FieldValidation | undefined): { object: KubeObject; warnings: string[] } {
    if (raw === undefined || raw === null) throw errors.badRequest(`${r.kind} in version "${r.apiVersion}" cannot be handled as a ${r.kind}: the request body is empty`);
    const { object, warnings } = decodeObject<KubeObject>(r.kind, raw, { fieldValidation: fieldValidation ?? 'Warn' });
    object.apiVersion = r.apiVersion;
    object.kind = r.kind;
    object.metadata ??= {};
    return { object, warnings };
  }

  /** Namespace must exist and not be terminating. As NamespaceLifecycle admission does
   *  (plugin/pkg/admission/namespace/lifecycle/admission.go), this reads status.phase, which the namespace's
   *  first DELETE sets with its deletionTimestamp — and which the stored selector attributes hold, so a create does
   *  not parse its namespace. */
  checkNamespaceOpen(r: Resource, namespace: string, name: string): void {
    if (!r.namespaced) return;
    const ns = this.storage.get({ resource: 'namespaces', namespace: '', name: namespace });
    if (!ns) throw errors.notFound('namespaces', namespace);
    if ((ns.attrs as Namespace).status?.phase === 'Terminating') {
      throw errors.forbidden(qualifiedResource(r), name,
        `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  update(r: Resource, namespace: string | undefined, name: string, raw: unknown, sub?: string, opts?: WriteOptions): Promise<WriteResult> {
    return updateObject(this, r, namespace, name, raw, sub, opts);
  }

  patch(r: Resource, namespace: string | undefined, name: string, kind: PatchKind, patch: unknown, sub?: string, opts?: WriteOptions): Promise<WriteResult> {
    return patchObject(this, r, namespace, name, kind, patch, sub, opts);
  }

  delete(r: Resource, namespace: string | undefined, name: string, options: DeleteOptions = {}, user?: Requester): Promise<DeleteResult> {
    return deleteObject(this, r, namespace, name, options, user);
  }

  /** DELETE on a collection: every object whose selector attributes (StoredObject.attrs) match gets an ordinary
   *  DELETE; ones that vanish meanwhile are skipped. */
  async deleteCollection(r: Resource, namespace: string | undefined, matches: (attrs: KubeObject) => boolean,
    options: DeleteOptions, user?: Requester): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    for (const it of this.list(r, namespace, { filter: (s) => matches(s.attrs) }).items) {
      const m = it.attrs.metadata;
      try { out.push((await this.delete(r, m.namespace, m.name!, options, user)).stored); } catch (e) {
        if ((e as { code?: number }).code !== 404) throw e;
      }
    }
    return out;
  }

  async create(r: Resource, namespace: string | undefined, raw: unknown, opts: WriteOptions = {}): Promise<WriteResult> {
    const { object: obj, warnings } = this.decode(r, raw, opts.fieldValidation);
    const meta = obj.metadata;
    if (r.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
    } else {
      delete meta.namespace;
    }
    if (meta.resourceVersion) throw errors.internal('resourceVersion should not be set on objects to be created');
    const displayName = meta.name || meta.generateName || '';
    if (r.namespaced) this.checkNamespaceOpen(r, meta.namespace ?? '', displayName);
    this.admit({
      operation: 'create', apiGroup: r.group, resource: r.resource, subresource: '',
      namespace: meta.namespace ?? '', name: meta.name ?? '', object: obj, user: opts.user,
    });
    fillSystemFieldsOnCreate(obj);
    if (r.strategy.tracksGeneration) meta.generation = 1;
    r.strategy.prepareForCreate(obj, this.ctx);
    const generate = !meta.name && !!meta.generateName;
    if (generate) meta.name = generateName(meta.generateName!);
    const errs = r.strategy.validate(obj, this.ctx);
    if (errs.length) throw errors.invalid(r.kind, displayName, errs, r.group);
    warnings.push(...(r.strategy.warningsOnCreate?.(obj) ?? []));
    if (opts.dryRun) return { stored: storedVersion(r.resource, obj, 0), warnings, created: true };
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.storage.create(this.key(r, meta.namespace, meta.name!), obj);
        return { stored, warnings, created: true };
      } catch (e) {
        if (!isStorageError(e, 'KeyExists')) throw e;
        if (!generate) {
          const existing = this.storage.get(this.key(r, meta.namespace, meta.name!));
          throw errors.alreadyExists(qualifiedResource(r), meta.name!, !!existing?.object.metadata.deletionTimestamp);
        }
        if (attempt >= MAX_GENERATE_ATTEMPTS) throw errors.generateNameConflict(qualifiedResource(r), meta.name!);
        meta.name = generateName(meta.generateName!);
      }
    }
  }
}
