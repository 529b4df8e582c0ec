// Namespace validation (k/k `ValidateNamespace`): cluster-scoped, name is a DNS label (≤63).
import { field, type FieldError } from './field-errors.ts';
import { isDNS1123Label, isQualifiedName } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './validate-meta.ts';
import type { Namespace } from './types.ts';

export function validateNamespace(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameValidator: isDNS1123Label });
  (ns.spec?.finalizers ?? []).forEach((f, i) => {
    for (const m of isQualifiedName(f)) errs.push(field.invalid(`spec.finalizers[${i}]`, f, m));
  });
  return errs;
}

export function validateNamespaceUpdate(newNs: Namespace, oldNs: Namespace): FieldError[] {
  return [...validateObjectMetaUpdate(newNs.metadata ?? {}, oldNs.metadata ?? {}), ...validateNamespace(newNs)];
}
