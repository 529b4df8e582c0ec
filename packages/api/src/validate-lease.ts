// coordination.k8s.io/v1 Lease validation (k/k pkg/apis/coordination/validation/validation.go `ValidateLease`,
// `ValidateLeaseSpec`). Both numbers are int32 in Kubernetes, whose decoder refuses anything larger; here that is
// Invalid too, so a lease cannot carry a duration no timer can wait for.
import { field, type FieldError } from './field-errors.ts';
import { isDNS1123Subdomain } from './names.ts';
import { inclusiveRange, MAX_INT32 } from './validate-handler.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './validate-meta.ts';
import type { KubeObject } from './types.ts';

interface LeaseSpec { leaseDurationSeconds?: number; leaseTransitions?: number }

export function validateLease(lease: KubeObject): FieldError[] {
  return [...validateObjectMeta(lease.metadata, { namespaced: true, nameValidator: isDNS1123Subdomain }), ...validateLeaseSpec(lease.spec as LeaseSpec | undefined)];
}

export function validateLeaseUpdate(lease: KubeObject, old: KubeObject): FieldError[] {
  return [...validateObjectMetaUpdate(lease.metadata, old.metadata), ...validateLease(lease)];
}

function validateLeaseSpec(spec: LeaseSpec | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const duration = spec?.leaseDurationSeconds;
  if (duration !== undefined && duration <= 0) errs.push(field.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  else if (duration !== undefined && duration > MAX_INT32) errs.push(field.invalid('spec.leaseDurationSeconds', duration, inclusiveRange(1, MAX_INT32)));
  const transitions = spec?.leaseTransitions;
  if (transitions !== undefined && transitions < 0) errs.push(field.invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  else if (transitions !== undefined && transitions > MAX_INT32) errs.push(field.invalid('spec.leaseTransitions', transitions, inclusiveRange(0, MAX_INT32)));
  return errs;
}
