// ObjectMeta validation (apimachinery pkg/api/validation/objectmeta.go `ValidateObjectMeta`): name or
// generateName, namespace presence, labels, annotations (keys case-insensitive, 256 KiB total), finalizers,
// ownerReferences. Update rules for server-owned metadata live in validateObjectMetaUpdate.
import { field, type FieldError } from './field-errors.ts';
import { isDNS1123Label, isQualifiedName, isValidLabelValue } from './names.ts';
import type { ObjectMeta } from './types.ts';

/** `TotalAnnotationSizeLimitB`: 256 KiB for all keys + values together. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export interface ValidateMetaOptions { namespaced: boolean; nameValidator: (v: string) => string[] }

/** generateName may end in '-' (the random suffix follows), so that dash is masked before validating. */
function maskTrailingDash(v: string): string {
  return v.length > 1 && v.endsWith('-') ? `${v.slice(0, -2)}a` : v;
}

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(field.invalid(path, k, m));
    for (const m of isValidLabelValue(v)) errs.push(field.invalid(path, v, m));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    // Keys follow the qualified-name rule, except that case does not matter.
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(field.invalid(path, k, m));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(field.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ValidateMetaOptions): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of opts.nameValidator(maskTrailingDash(m.generateName))) errs.push(field.invalid('metadata.generateName', m.generateName, msg));
  }
  if (!m.name) {
    if (!m.generateName) errs.push(field.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const msg of opts.nameValidator(m.name)) errs.push(field.invalid('metadata.name', m.name, msg));
  }
  if (opts.namespaced) {
    if (!m.namespace) errs.push(field.required('metadata.namespace'));
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(field.invalid('metadata.namespace', m.namespace, msg));
  } else if (m.namespace) {
    errs.push(field.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (m.generation !== undefined && m.generation < 0) errs.push(field.invalid('metadata.generation', m.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(m.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(m, 'metadata.ownerReferences'));
  errs.push(...validateFinalizers(m.finalizers, 'metadata.finalizers'));
  return errs;
}

function validateOwnerReferences(m: ObjectMeta, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let controllers = 0;
  (m.ownerReferences ?? []).forEach((ref, i) => {
    const p = `${path}[${i}]`;
    if (!ref.apiVersion) errs.push(field.invalid(`${p}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(field.invalid(`${p}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(field.invalid(`${p}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(field.invalid(`${p}.uid`, ref.uid ?? '', 'uid must not be empty'));
    if (ref.controller) controllers++;
  });
  if (controllers > 1) errs.push(field.invalid(path, m.ownerReferences, 'Only one reference can have Controller set to true'));
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (finalizers ?? []).forEach((f) => {
    for (const m of isQualifiedName(f)) errs.push(field.invalid(path, f, m));
    if (seen.has(f)) errs.push(field.duplicate(path, f));
    seen.add(f);
  });
  return errs;
}

/** Update rules for metadata the server owns: name, namespace, uid, creationTimestamp are immutable. */
export function validateObjectMetaUpdate(newMeta: ObjectMeta, oldMeta: ObjectMeta): FieldError[] {
  const errs: FieldError[] = [];
  const immutable = ['name', 'namespace', 'uid', 'creationTimestamp'] as const;
  for (const k of immutable) {
    const n = newMeta[k] ?? undefined, o = oldMeta[k] ?? undefined;
    if (n !== o) errs.push(field.invalid(`metadata.${k}`, n ?? '', 'field is immutable'));
  }
  if (oldMeta.deletionTimestamp) {
    const added = (newMeta.finalizers ?? []).filter((f) => !(oldMeta.finalizers ?? []).includes(f));
    if (added.length) {
      errs.push(field.forbidden('metadata.finalizers',
        `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  return errs;
}
