// PUT and PATCH on a main resource or its /status subresource. One code path: the new object is computed from the
// latest stored state inside storage.guaranteedUpdate, so concurrent writers serialize and a stale
// resourceVersion is a 409, never a lost update.
import {
  applyJsonPatch, applyMergePatch, applyStrategicMergePatch, errors, type KubeObject,
} from '@podling/api';
import type { StoredObject } from '@podling/store';
import type { FieldValidation, Registry, WriteOptions, WriteResult } from './registry.ts';
import { preserveSystemFieldsOnUpdate, sameJson } from './object-meta.ts';
import type { Strategy } from './strategy.ts';
import { groupOf } from './admission.ts';

export type Subresource = 'status' | undefined;
export type PatchKind = 'json' | 'merge' | 'strategic' | 'apply';

/** Produces the desired object from a private copy of the current one, plus an optional RV precondition. */
type Mutation = (current: KubeObject) => KubeObject;

export async function updateObject(reg: Registry, s: Strategy, namespace: string | undefined, name: string,
  raw: unknown, sub: Subresource, opts: WriteOptions = {}): Promise<WriteResult> {
  const { object: body, warnings } = reg.decode(s, raw, opts.fieldValidation);
  if (body.metadata.name && body.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (s.namespaced && body.metadata.namespace && namespace && body.metadata.namespace !== namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const stored = await guardedUpdate(reg, s, namespace, name, sub, opts, () => structuredClone(body));
  return { stored, warnings };
}

export async function patchObject(reg: Registry, s: Strategy, namespace: string | undefined, name: string,
  kind: PatchKind, patch: unknown, sub: Subresource, opts: WriteOptions = {}): Promise<WriteResult> {
  if (patch === undefined || patch === null) throw errors.badRequest('the request body is empty: a patch is required');
  const key = reg.key(s, namespace, name);
  if (kind === 'apply' && !reg.storage.get(key) && sub === undefined) {
    const body = { ...(patch as KubeObject), metadata: { ...(patch as KubeObject).metadata, namespace } };
    if (body.metadata.name && body.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    body.metadata.name = name;
    return reg.create(s, namespace, body, opts);
  }
  const warnings: string[] = [];
  const stored = await guardedUpdate(reg, s, namespace, name, sub, opts, (current) => {
    const patched = applyPatch(kind, current, patch, s.kind);
    const decoded = reg.decode(s, patched, opts.fieldValidation as FieldValidation | undefined);
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

async function guardedUpdate(reg: Registry, s: Strategy, namespace: string | undefined, name: string, sub: Subresource,
  opts: WriteOptions, mutate: Mutation): Promise<StoredObject> {
  if (sub === 'status' && !s.status) throw errors.notFound(`${s.resource}/status`, name);
  const key = reg.key(s, namespace, name);
  let dryRunResult: StoredObject | undefined;
  const tryUpdate = (cur: StoredObject): KubeObject | null => {
    const old = cur.object;
    const next = mutate(structuredClone(old));
    const wantRv = next.metadata.resourceVersion;
    if (wantRv && wantRv !== String(cur.rv)) throw errors.staleResourceVersion(s.resource, name);
    next.apiVersion = s.apiVersion;
    next.kind = s.kind;
    next.metadata.name = name;
    if (s.namespaced) next.metadata.namespace = old.metadata.namespace; else delete next.metadata.namespace;
    preserveSystemFieldsOnUpdate(next, old, s.resource);
    reg.admit({
      operation: 'update', apiGroup: groupOf(s.apiVersion), resource: s.resource, subresource: sub ?? '',
      namespace: old.metadata.namespace ?? '', name, object: next, oldObject: old, user: opts.user,
    });
    const errs = [];
    if (sub === 'status') {
      s.status!.prepareForUpdate(next, old);
      errs.push(...s.status!.validateUpdate(next, old, reg.ctx));
    } else {
      s.prepareForUpdate(next, old);
      errs.push(...s.validateUpdate(next, old, reg.ctx));
      if (s.tracksGeneration && !sameJson(next.spec, old.spec)) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
    if (errs.length) throw errors.invalid(s.kind, name, errs);
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (JSON.stringify(next) === cur.json) return null;
    delete next.metadata.resourceVersion;
    if (opts.dryRun) {
      dryRunResult = { object: next, json: JSON.stringify(next), rv: cur.rv };
      return null;
    }
    return next;
  };
  const stored = await reg.storage.guaranteedUpdate(key, tryUpdate);
  if (dryRunResult) return dryRunResult;
  // An update that removed the last finalizer of an object whose deletion is due completes the deletion.
  const m = stored.object.metadata;
  if (m.deletionTimestamp && !(m.finalizers?.length) && m.deletionGracePeriodSeconds === 0) {
    return reg.storage.delete(key);
  }
  return stored;
}
