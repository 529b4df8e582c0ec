// Node validation (k/k pkg/apis/core/validation/validation.go `ValidateNode`, `ValidateNodeUpdate`,
// `validateNodeTaints`). Nodes are cluster-scoped; their names are DNS subdomains.
import { isIP } from 'node:net';
import { field, type FieldError } from './field-errors.ts';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './names.ts';
import { isValidQuantity } from './quantity.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './validate-meta.ts';
import type { Node, Taint } from './types.ts';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaints(taints: Taint[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const tp = `${path}[${i}]`;
    for (const m of isQualifiedName(t.key ?? '')) errs.push(field.invalid(`${tp}.key`, t.key ?? '', m));
    if (t.value) for (const m of isValidLabelValue(t.value)) errs.push(field.invalid(`${tp}.value`, t.value, m));
    if (!t.effect) errs.push(field.required(`${tp}.effect`));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(field.notSupported(`${tp}.effect`, t.effect, TAINT_EFFECTS));
    const id = `${t.key}\u0000${t.effect}`;
    if (seen.has(id)) {
      errs.push({ type: 'FieldValueDuplicate', field: tp, body: `Duplicate value: ${JSON.stringify(t)}: taints must be unique by key and effect pair` });
    }
    seen.add(id);
  });
  return errs;
}

/** The IP family of a CIDR (netutils.ParseCIDRSloppy: host bits allowed), or undefined when it is not one. */
function cidrFamily(text: string): 4 | 6 | undefined {
  const slash = text.indexOf('/');
  const family = isIP(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (slash < 0 || !family || !/^[0-9]{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) return undefined;
  return family as 4 | 6;
}

/** ValidateNode's podCIDRs part: each a CIDR; two only as a dual-stack pair (one per family). */
function validatePodCIDRs(cidrs: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const families = cidrs.map((c, i) => {
    const f = cidrFamily(c);
    if (!f) errs.push(field.invalid(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
    return f;
  });
  if (cidrs.length > 1 && !errs.length && (cidrs.length > 2 || families[0] === families[1])) {
    errs.push(field.invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
  }
  return errs;
}

export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false, nameValidator: isDNS1123Subdomain });
  errs.push(...validateTaints(node.spec?.taints, 'spec.taints'));
  errs.push(...validatePodCIDRs(node.spec?.podCIDRs ?? []));
  for (const key of ['capacity', 'allocatable'] as const) {
    for (const [r, q] of Object.entries(node.status?.[key] ?? {})) {
      if (!isValidQuantity(q)) errs.push(field.invalid(`status.${key}[${r}]`, q, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    }
  }
  (node.status?.addresses ?? []).forEach((a, i) => {
    if (!a.type) errs.push(field.required(`status.addresses[${i}].type`));
    if (!a.address) errs.push(field.required(`status.addresses[${i}].address`));
  });
  (node.status?.conditions ?? []).forEach((c, i) => {
    if (!c.type) errs.push(field.required(`status.conditions[${i}].type`));
  });
  return errs;
}

export function validateNodeUpdate(newNode: Node, oldNode: Node): FieldError[] {
  const errs = validateObjectMetaUpdate(newNode.metadata ?? {}, oldNode.metadata ?? {});
  errs.push(...validateNode(newNode));
  // Set once (by the node IPAM controller), then fixed: pods already hold addresses of the range.
  const oldCidrs = oldNode.spec?.podCIDRs ?? [], newCidrs = newNode.spec?.podCIDRs ?? [];
  if (oldCidrs.length && (oldCidrs.length !== newCidrs.length || oldCidrs.some((c, i) => c !== newCidrs[i]))) {
    errs.push(field.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  const oldPid = oldNode.spec?.providerID, newPid = newNode.spec?.providerID;
  if (oldPid && oldPid !== newPid) errs.push(field.forbidden('spec.providerID', 'node updates may only set providerID if unset'));
  return errs;
}
