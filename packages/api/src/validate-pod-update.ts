// Pod update rules (k/k pkg/apis/core/validation/validation.go `ValidatePodUpdate`, `ValidatePodStatusUpdate`).
// The spec is immutable except for a short list of fields; everything else gets one Forbidden error whose
// text kubectl users know by heart. The cmp.Diff Kubernetes appends to it is deliberately omitted.
import { field, type FieldError } from './field-errors.ts';
import { semanticEqual } from './semantic-equal.ts';
import { validateObjectMetaUpdate } from './validate-meta.ts';
import { validatePod, validateTolerations, type PodValidationOptions } from './validate-pod.ts';
import type { ContainerStatus, Pod, PodSpec, Toleration } from './types.ts';

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];
export const POD_SPEC_UPDATE_FORBIDDEN = `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}`;

/** Images are the only mutable part of a container; their required/whitespace rules come from validatePod. */
function addsOrRemovesContainers(n: PodSpec['containers'] = [], o: PodSpec['containers'] = []): boolean {
  return n.length !== o.length;
}

function validateOnlyAddedTolerations(n: Toleration[] = [], o: Toleration[] = [], path: string): FieldError[] {
  for (const old of o) {
    const found = n.some((t) => semanticEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!found) return [field.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(n, path);
}

export function validatePodUpdate(newPod: Pod, oldPod: Pod, opts: PodValidationOptions): FieldError[] {
  const errs = validateObjectMetaUpdate(newPod.metadata ?? {}, oldPod.metadata ?? {});
  errs.push(...validatePod(newPod, opts));
  const ns: PodSpec = newPod.spec ?? ({ containers: [] } as PodSpec);
  const os: PodSpec = oldPod.spec ?? ({ containers: [] } as PodSpec);

  for (const key of ['containers', 'initContainers'] as const) {
    if (addsOrRemovesContainers(ns[key], os[key])) {
      errs.push(field.forbidden(`spec.${key}`, 'pod updates may not add or remove containers'));
      return errs;
    }
  }

  if (ns.activeDeadlineSeconds !== undefined) {
    if (ns.activeDeadlineSeconds < 0 || ns.activeDeadlineSeconds > 2147483647) {
      errs.push(field.invalid('spec.activeDeadlineSeconds', ns.activeDeadlineSeconds, 'must be between 0 and 2147483647, inclusive'));
      return errs;
    }
    if (os.activeDeadlineSeconds !== undefined && os.activeDeadlineSeconds < ns.activeDeadlineSeconds) {
      errs.push(field.invalid('spec.activeDeadlineSeconds', ns.activeDeadlineSeconds, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (os.activeDeadlineSeconds !== undefined) {
    errs.push(field.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }

  errs.push(...validateOnlyAddedTolerations(ns.tolerations, os.tolerations, 'spec.tolerations'));

  const oldGates = new Set((os.schedulingGates ?? []).map((g) => g.name));
  (ns.schedulingGates ?? []).forEach((g, i) => {
    if (!oldGates.has(g.name)) errs.push(field.forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${g.name}'`));
  });

  if (semanticEqual(ns, os)) return errs;
  // Munge the updatable fields back to their old values; whatever still differs is a forbidden change.
  const munged: PodSpec = {
    ...ns,
    containers: (ns.containers ?? []).map((c, i) => ({ ...c, image: os.containers[i]?.image })),
    activeDeadlineSeconds: os.activeDeadlineSeconds,
    tolerations: os.tolerations,
    schedulingGates: os.schedulingGates,
  };
  if (ns.initContainers) munged.initContainers = ns.initContainers.map((c, i) => ({ ...c, image: os.initContainers?.[i]?.image }));
  if ((os.terminationGracePeriodSeconds ?? 0) < 0 && ns.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = os.terminationGracePeriodSeconds;
  }
  if (oldGates.size > 0) {
    // While gated, nodeSelector may gain entries (never lose or change them).
    const oldSel = os.nodeSelector ?? {};
    const newSel = ns.nodeSelector ?? {};
    if (Object.entries(oldSel).every(([k, v]) => newSel[k] === v)) munged.nodeSelector = os.nodeSelector;
  }
  if (!semanticEqual(munged, os)) errs.push(field.forbidden('spec', POD_SPEC_UPDATE_FORBIDDEN));
  return errs;
}

function validateStateTransition(n: ContainerStatus[] = [], o: ContainerStatus[] = [], path: string, policy: string | undefined,
  initSpec?: PodSpec['initContainers']): FieldError[] {
  if (policy === 'Always') return [];
  const errs: FieldError[] = [];
  o.forEach((old, i) => {
    const term = old.state?.terminated;
    if (!term) return;
    if (term.exitCode !== 0 && policy === 'OnFailure') return;
    // A sidecar (init container with restartPolicy Always) may restart whatever the pod's policy.
    if (initSpec?.find((c) => c.name === old.name)?.restartPolicy === 'Always') return;
    for (const s of n) {
      if (s.name === old.name && !s.state?.terminated) errs.push(field.forbidden(`${path}[${i}].state`, 'may not be transitioned to non-terminated state'));
    }
  });
  return errs;
}

export function validatePodStatusUpdate(newPod: Pod, oldPod: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(newPod.metadata ?? {}, oldPod.metadata ?? {});
  if ((newPod.spec?.nodeName ?? '') !== (oldPod.spec?.nodeName ?? '')) errs.push(field.forbidden('status.nodeName', 'may not be changed directly'));
  const ns = newPod.status ?? {}, os = oldPod.status ?? {};
  if (ns.qosClass !== os.qosClass) errs.push(field.invalid('status.qosClass', ns.qosClass ?? '', 'field is immutable'));
  const policy = oldPod.spec?.restartPolicy;
  errs.push(...validateStateTransition(ns.containerStatuses, os.containerStatuses, 'status.containerStatuses', policy));
  errs.push(...validateStateTransition(ns.initContainerStatuses, os.initContainerStatuses, 'status.initContainerStatuses',
    policy, oldPod.spec?.initContainers));
  (ns.conditions ?? []).forEach((c, i) => {
    if (!c.type) errs.push(field.required(`status.conditions[${i}].type`));
    if (c.status && !['True', 'False', 'Unknown'].includes(c.status)) errs.push(field.notSupported(`status.conditions[${i}].status`, c.status, ['False', 'True', 'Unknown']));
  });
  return errs;
}
