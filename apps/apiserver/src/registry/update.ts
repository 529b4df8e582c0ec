// PUT and PATCH on a main resource or one of its update subresources (status, finalize). One code path: the new object is computed from the
// latest stored state inside storage.guaranteedUpdate, so concurrent writers serialize and a stale
// resourceVersion is a 409, never a lost update.
import {
  applyJsonPatch, applyMergePatch, applyStrategicMergePatch, errors, type KubeObject,
} from '@podling/api';
import { storedVersion, type StoredObject } from '@podling/store';
import type { FieldValidation, Registry, WriteOptions, WriteResult } from './registry.ts';
import { preserveSystemFieldsOnUpdate, sameJson } from './object-meta.ts';
import { qualifiedResource, updateSubresource, type Resource } from './resource.ts';

/** undefined for the main resource, else the name of one of the resource's updateSubresources. */
export type Subresource = string | undefined;
export type PatchKind = 'json' | 'merge' | 'strategic' | 'apply';

/** Produces the desired object from the current one (plus an optional RV precondition in it). `current()` parses
 *  the stored text afresh, so the mutation may change what it returns; a PUT never calls it. */
type Mutation = (current: () => KubeObject) => KubeObject;

export async function updateObject(reg: Registry, r: Resource, namespace: string | undefined, name: string,
  raw: unknown, sub: Subresource, opts: WriteOptions = {}): Promise<WriteResult> {
  const { object: body, warnings } = reg.decode(r, raw, opts.fieldValidation);
  if (body.metadata.name && body.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (r.namespaced && body.metadata.namespace && namespace && body.metadata.namespace !== namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const stored = await guardedUpdate(reg, r, namespace, name, sub, opts, () => structuredClone(body));
  return { stored, warnings };
}

export async function patchObject(reg: Registry, r: Resource, namespace: string | undefined, name: string,
  kind: PatchKind, patch: unknown, sub: Subresource, opts: WriteOptions = {}): Promise<WriteResult> {
  if (patch === undefined || patch === null) throw errors.badRequest('the request body is empty: a patch is required');
  const key = reg.key(r, namespace, name);
  if (kind === 'apply' && !reg.storage.get(key) && sub === undefined) {
    const body = { ...(patch as KubeObject), metadata: { ...(patch as KubeObject).metadata, namespace } };
    if (body.metadata.name && body.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    body.metadata.name = name;
    return reg.create(r, namespace, body, opts);
  }
  const warnings: string[] = [];
  const stored = await guardedUpdate(reg, r, namespace, name, sub, opts, (current) => {
    const patched = applyPatch(kind, current(), patch, r.kind);
    const decoded = reg.decode(r, patched, opts.fieldValidation as FieldValidation | undefined);
    warnings.splice(0, warnings.length, ...decoded.warnings);
    const m = decoded.object.metadata;
    if (m.name !== undefined && m.name !== name) throw errors.badRequest(`the name of the object (${m.name}) does not match the name on the URL (${name})`);
    return decoded.object;
  });
  return { stored, warnings };
}

function applyPatch(kind: PatchKind, current: KubeObject, patch: unknown, objKind: string): unknown {
  switch (kind) {
    case 'json': return applyJsonPatch(current, patch);
    case 'merge': return applyMergePatch(current, patch);
    case 'strategic':
    case 'apply': return applyStrategicMergePatch(current, patch, objKind);
  }
}

async function guardedUpdate(reg: Registry, r: Resource, namespace: string | undefined, name: string, sub: Subresource,
  opts: WriteOptions, mutate: Mutation): Promise<StoredObject> {
  const strategy = sub === undefined ? r.strategy : updateSubresource(r, sub);
  if (!strategy) throw errors.notFound(`${r.resource}/${sub}`, name);
  const key = reg.key(r, namespace, name);
  let dryRunResult: StoredObject | undefined;
  // The state the write left (or the stored one's equal when it changed nothing), to finish a deletion without
  // parsing it back.
  let written: KubeObject | undefined;
  const tryUpdate = (cur: StoredObject): KubeObject | null => {
    const old = cur.object;
    const next = mutate(() => cur.object);
    const wantRv = next.metadata.resourceVersion;
    if (wantRv && wantRv !== String(cur.rv)) throw errors.staleResourceVersion(qualifiedResource(r), name);
    next.apiVersion = r.apiVersion;
    next.kind = r.kind;
    // The stored object's own string, equal to the URL's: a name taken from the URL is a slice that keeps the whole
    // URL alive for as long as the object is kept.
    next.metadata.name = old.metadata.name;
    if (r.namespaced) next.metadata.namespace = old.metadata.namespace; else delete next.metadata.namespace;
    preserveSystemFieldsOnUpdate(next, old, r.resource);
    reg.admit({
      operation: 'update', apiGroup: r.group, resource: r.resource, subresource: sub ?? '',
      namespace: old.metadata.namespace ?? '', name, object: next, oldObject: old, user: opts.user,
    });
    strategy.prepareForUpdate(next, old);
    const errs = strategy.validateUpdate(next, old, reg.ctx);
    if (errs.length) throw errors.invalid(r.kind, name, errs, r.group);
    const s = r.strategy;
    if (sub === undefined && s.tracksGeneration) {
      const source = s.generationSource ?? ((o: KubeObject) => o.spec);
      if (!sameJson(source(next), source(old))) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
    // An update that changes nothing is the store's to tell (storage.ts guaranteedUpdate): it writes nothing.
    delete next.metadata.resourceVersion;
    if (opts.dryRun) {
      // A dry run keeps the stored resourceVersion, so `kubectl diff` compares like with like.
      next.metadata.resourceVersion = String(cur.rv);
      dryRunResult = storedVersion(r.resource, next, cur.rv);
      return null;
    }
    written = next;
    return next;
  };
  const stored = await reg.storage.guaranteedUpdate(key, tryUpdate);
  if (dryRunResult) return dryRunResult;
  // An update that removed the last finalizer of an object whose deletion is due completes the deletion.
  const m = written!.metadata;
  if (m.deletionTimestamp && !(m.finalizers?.length) && m.deletionGracePeriodSeconds === 0) {
    return reg.storage.delete(key);
  }
  return stored;
}
