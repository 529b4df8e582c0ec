// Pod create validation (k/k pkg/apis/core/validation/validation.go `ValidatePodCreate` / `ValidatePodSpec`) and the
// create-time warnings of pkg/registry/core/pod/strategy.go. Update rules are in validate-pod-update.ts.
import { field, type FieldError } from './field-errors.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from './names.ts';
import { validateContainer, validateIds, inclusiveRange, MAX_GRACE_PERIOD_SECONDS, NON_NEGATIVE, type ContainerContext } from './validate-container.ts';
export { MAX_GRACE_PERIOD_SECONDS } from './validate-container.ts';
import { validateLabels, validateObjectMeta } from './validate-meta.ts';
import type { Pod, PodSpec, Toleration } from './types.ts';

export interface PodValidationOptions { allowPrivileged: boolean }

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

export function validatePod(pod: Pod, opts: PodValidationOptions): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, { namespaced: true, nameValidator: isDNS1123Subdomain });
  errs.push(...validatePodSpec(pod.spec ?? ({} as PodSpec), 'spec', opts));
  return errs;
}

export function validatePodSpec(spec: PodSpec, path: string, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const volumeNames = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const vp = `${path}.volumes[${i}]`;
    if (!v.name) errs.push(field.required(`${vp}.name`));
    else for (const m of isDNS1123Label(v.name)) errs.push(field.invalid(`${vp}.name`, v.name, m));
    if (v.name && volumeNames.has(v.name)) errs.push(field.duplicate(`${vp}.name`, v.name));
    if (v.name) volumeNames.add(v.name);
    const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
    if (sources.length === 0) errs.push(field.required(vp, 'must specify a volume type'));
    for (const extra of sources.slice(1)) errs.push(field.forbidden(`${vp}.${extra}`, 'may not specify more than 1 volume type'));
  });

  const ctx: ContainerContext = { allowPrivileged: opts.allowPrivileged, volumeNames, gracePeriod: spec.terminationGracePeriodSeconds };
  const names = new Set<string>();
  const checkList = (list: PodSpec['containers'] | undefined, key: string, init: boolean) => {
    (list ?? []).forEach((c, i) => {
      const cp = `${path}.${key}[${i}]`;
      errs.push(...validateContainer(c, cp, ctx, init));
      if (c.name && names.has(c.name)) errs.push(field.duplicate(`${cp}.name`, c.name));
      if (c.name) names.add(c.name);
    });
  };
  checkList(spec.initContainers, 'initContainers', true);
  if (!spec.containers?.length) errs.push(field.required(`${path}.containers`));
  checkList(spec.containers, 'containers', false);

  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy)) {
    errs.push(field.notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  }
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(spec.dnsPolicy)) {
    errs.push(field.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  }
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && (ads < 1 || ads > 2147483647)) errs.push(field.invalid(`${path}.activeDeadlineSeconds`, ads, inclusiveRange(1, 2147483647)));
  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && grace < 0) errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, grace, NON_NEGATIVE));
  else if (grace !== undefined && grace > MAX_GRACE_PERIOD_SECONDS) {
    errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, grace, inclusiveRange(0, MAX_GRACE_PERIOD_SECONDS)));
  }
  if (spec.nodeName) for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(field.invalid(`${path}.nodeName`, spec.nodeName, m));
  if (spec.hostname) for (const m of isDNS1123Label(spec.hostname)) errs.push(field.invalid(`${path}.hostname`, spec.hostname, m));
  const subdomain = spec.subdomain as string | undefined;
  if (subdomain) for (const m of isDNS1123Label(subdomain)) errs.push(field.invalid(`${path}.subdomain`, subdomain, m));
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  if (spec.serviceAccountName) for (const m of isDNS1123Subdomain(spec.serviceAccountName)) errs.push(field.invalid(`${path}.serviceAccountName`, spec.serviceAccountName, m));
  if (spec.securityContext) errs.push(...validateIds(spec.securityContext, `${path}.securityContext`));
  // Podling gives pods no PID or IPC namespace of their own yet, so asking for the host's is asking for privilege:
  // allowed only where privileged pods are (issue 14.6). A user namespace cannot go with host namespaces (as in
  // Kubernetes' validateHostUsers).
  for (const ns of ['hostPID', 'hostIPC'] as const) {
    if (spec[ns] === true && !opts.allowPrivileged) errs.push(field.forbidden(`${path}.${ns}`, 'disallowed by cluster policy'));
  }
  if (spec.hostUsers === false) {
    for (const ns of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
      if (spec[ns] === true) errs.push(field.forbidden(`${path}.${ns}`, 'when `hostUsers` is false'));
    }
  }
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  const gates = new Set<string>();
  (spec.schedulingGates ?? []).forEach((g, i) => {
    for (const m of isQualifiedName(g.name ?? '')) errs.push(field.invalid(`${path}.schedulingGates[${i}].name`, g.name, m));
    if (gates.has(g.name)) errs.push(field.duplicate(`${path}.schedulingGates[${i}].name`, g.name));
    gates.add(g.name);
  });
  return errs;
}

export function validateTolerations(tolerations: Toleration[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const tp = `${path}[${i}]`;
    if (t.key) for (const m of isQualifiedName(t.key)) errs.push(field.invalid(`${tp}.key`, t.key, m));
    if (!t.key && t.operator !== 'Exists') errs.push(field.invalid(`${tp}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(field.invalid(`${tp}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (t.operator !== undefined && t.operator !== 'Equal' && t.operator !== 'Exists') {
      errs.push(field.notSupported(`${tp}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (t.operator === 'Exists' && t.value) errs.push(field.invalid(`${tp}.operator`, t.value, 'value must be empty when `operator` is \'Exists\''));
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(field.notSupported(`${tp}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

/** Create-time warnings (not errors): a name that is a subdomain but not a label makes a surprising hostname. */
export function podWarnings(pod: Pod): string[] {
  const warnings: string[] = [];
  const name = pod.metadata?.name;
  if (name && isDNS1123Subdomain(name).length === 0) {
    const msgs = isDNS1123Label(name);
    if (msgs.length) {
      warnings.push(`metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [${msgs.join(' ')}]`);
    }
  }
  return warnings;
}
