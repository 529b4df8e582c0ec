// Rules shared by the workload kinds (k/k pkg/apis/apps/validation, pkg/apis/core/validation
// ValidatePodTemplateSpecForReplicaSet): the selector, the pod template (validated with the Pod's own rules), the
// restart policies a controller can live with, and int-or-percent fields.
import { field, type FieldError } from './field-errors.ts';
import { labelsMatch } from './label-selector.ts';
import { isEmptySelector, selectorFromObject, validateLabelSelector } from './label-selector-object.ts';
import { validateAnnotations, validateLabels } from './validate-meta.ts';
import { validatePodSpec, type PodValidationOptions } from './validate-pod.ts';
import type { PodSpec } from './types.ts';
import type { MetaLabelSelector, PodTemplateSpec } from './workload-types.ts';

export const NON_NEGATIVE_MSG = 'must be greater than or equal to 0';

export function nonNegative(v: number | undefined, path: string): FieldError[] {
  return v !== undefined && v < 0 ? [field.invalid(path, v, NON_NEGATIVE_MSG)] : [];
}

/** Go's %v of a map[string]string, as kube-apiserver prints template labels in the selector mismatch error. */
function goMap(m: Record<string, string>): string {
  return `map[string]string{${Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(', ')}}`;
}

/** spec.selector: required, non-empty, well-formed. `word` names the kind in the empty-selector message. */
export function validateSelector(sel: MetaLabelSelector | undefined, path: string, word: string): FieldError[] {
  if (!sel) return [field.required(path)];
  const errs = validateLabelSelector(sel, path);
  if (isEmptySelector(sel)) errs.push(field.invalid(path, sel, `empty selector is invalid for ${word}`));
  return errs;
}

export interface TemplateRules {
  /** Restart policies the controller supports; ['Always'] for long-running workloads. */
  restartPolicies: string[];
  /** The required-value message when the policy is not one of them (Jobs word it that way). */
  restartPolicyRequired?: boolean;
  /** Kind named in "activeDeadlineSeconds in <Kind> is not Supported"; unset where it is allowed (Jobs). */
  forbidActiveDeadline?: string;
}

/** The pod template: present, labels matched by `matches`, metadata and PodSpec valid, restart policy allowed. */
export function validateTemplate(t: PodTemplateSpec | undefined, path: string, matches: ((labels: Record<string, string>) => boolean) | undefined,
  rules: TemplateRules, opts: PodValidationOptions): FieldError[] {
  if (!t) return [field.required(path)];
  const errs: FieldError[] = [];
  const labels = t.metadata?.labels ?? {};
  if (matches && !matches(labels)) {
    errs.push({ type: 'FieldValueInvalid', field: `${path}.metadata.labels`, body: `Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\`` });
  }
  errs.push(...validateLabels(t.metadata?.labels, `${path}.metadata.labels`));
  errs.push(...validateAnnotations(t.metadata?.annotations, `${path}.metadata.annotations`));
  const spec = (t.spec ?? { containers: [] }) as PodSpec;
  errs.push(...validatePodSpec(spec, `${path}.spec`, opts));
  const policy = spec.restartPolicy;
  if (policy !== undefined && !rules.restartPolicies.includes(policy)) {
    errs.push(rules.restartPolicyRequired
      ? field.required(`${path}.spec.restartPolicy`, `valid values: ${rules.restartPolicies.map((p) => JSON.stringify(p)).join(', ')}`)
      : field.notSupported(`${path}.spec.restartPolicy`, policy, rules.restartPolicies));
  }
  if (rules.forbidActiveDeadline && spec.activeDeadlineSeconds !== undefined) {
    errs.push(field.forbidden(`${path}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${rules.forbidActiveDeadline} is not Supported`));
  }
  return errs;
}

/** A matcher for template labels from a structured selector (undefined when the selector is unusable). */
export function matcherFor(sel: MetaLabelSelector | undefined): ((labels: Record<string, string>) => boolean) | undefined {
  if (isEmptySelector(sel)) return undefined;
  const parsed = selectorFromObject(sel);
  return (labels) => labelsMatch(parsed, labels);
}

/** IntOrString "maxSurge"/"maxUnavailable": a non-negative int or "N%"; returns the value as a number or percent. */
export function validateIntOrPercent(v: number | string | undefined, path: string, maxPercent = false): FieldError[] {
  if (v === undefined) return [];
  if (typeof v === 'number') return nonNegative(v, path);
  const m = /^(\d+)%$/.exec(v);
  if (!m) return [field.invalid(path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
  if (maxPercent && Number(m[1]) > 100) return [field.invalid(path, v, 'must not be greater than 100%')];
  return [];
}

/** Whether an int-or-percent is zero ("0%" or 0). */
export function isZero(v: number | string | undefined): boolean {
  return v === undefined || v === 0 || v === '0%';
}
