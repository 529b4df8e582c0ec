// metav1.LabelSelector, the structured selector of workload specs (matchLabels + matchExpressions): validation
// (apimachinery pkg/apis/meta/v1/validation ValidateLabelSelector), matching, and the string form kubectl and the
// Scale subresource show (metav1.FormatLabelSelector).
import { field, type FieldError } from './field-errors.ts';
import { labelSelectorString, type LabelOperator, type LabelSelector } from './label-selector.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';
import { validateLabels } from './validate-meta.ts';
import type { MetaLabelSelector } from './workload-types.ts';

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export function validateLabelSelector(sel: MetaLabelSelector | undefined, path: string): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = [];
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = e.values ?? [];
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (!values.length) errs.push(field.required(`${p}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length) errs.push(field.forbidden(`${p}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
    } else {
      errs.push(field.notSupported(`${p}.operator`, e.operator, OPERATORS));
    }
    for (const m of isQualifiedName(e.key ?? '')) errs.push(field.invalid(`${p}.key`, e.key, m));
    values.forEach((v, j) => { for (const m of isValidLabelValue(v)) errs.push(field.invalid(`${p}.values[${j}]`, v, m)); });
  });
  errs.push(...validateLabels(sel.matchLabels, `${path}.matchLabels`));
  return errs;
}

/** True for a selector with neither matchLabels nor matchExpressions (which would select everything). */
export function isEmptySelector(sel: MetaLabelSelector | undefined): boolean {
  return !sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length);
}

/** The parsed form used for matching (metav1.LabelSelectorAsSelector), requirements sorted by key. */
export function selectorFromObject(sel: MetaLabelSelector | undefined): LabelSelector {
  const reqs = [
    ...Object.entries(sel?.matchLabels ?? {}).map(([key, v]) => ({ key, operator: 'In' as LabelOperator, values: [v] })),
    ...(sel?.matchExpressions ?? []).map((e) => ({ key: e.key, operator: e.operator as LabelOperator, values: [...(e.values ?? [])].sort() })),
  ];
  return { requirements: reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
}

/** metav1.FormatLabelSelector: "app=web,tier in (a,b)"; `<none>` for an empty one. */
export function formatLabelSelector(sel: MetaLabelSelector | undefined): string {
  const s = labelSelectorString(selectorFromObject(sel));
  return s === '' ? '<none>' : s;
}
