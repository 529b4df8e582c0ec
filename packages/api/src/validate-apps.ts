// Validation of apps/v1 Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision and core/v1
// ReplicationController (k/k pkg/apis/apps/validation/validation.go, pkg/apis/core/validation ValidateReplicationController).
// Create rules and the update rules (apps/v1 selectors are immutable) with Kubernetes' wire messages.
import { field, type FieldError } from './field-errors.ts';
import { labelsMatch, selectorFromMatchLabels } from './label-selector.ts';
import { isDNS1123Label, isDNS1123Subdomain } from './names.ts';
import { semanticEqual } from './semantic-equal.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './validate-meta.ts';
import type { PodValidationOptions } from './validate-pod.ts';
import {
  isZero, matcherFor, nonNegative, validateIntOrPercent, validateSelector, validateTemplate,
} from './validate-workload-template.ts';
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, ReplicationController, StatefulSet } from './workload-types.ts';
import type { KubeObject } from './types.ts';

const ALWAYS = { restartPolicies: ['Always'] };
const meta = (o: KubeObject, nameValidator = isDNS1123Subdomain) => validateObjectMeta(o.metadata, { namespaced: true, nameValidator });

function immutableSelector(n: { spec?: { selector?: unknown } }, o: { spec?: { selector?: unknown } }): FieldError[] {
  return semanticEqual(n.spec?.selector, o.spec?.selector) ? [] : [field.invalid('spec.selector', n.spec?.selector ?? null, 'field is immutable')];
}

export function validateDeployment(d: Deployment, opts: PodValidationOptions): FieldError[] {
  const errs = meta(d);
  const s = d.spec ?? {} as NonNullable<Deployment['spec']>;
  errs.push(...nonNegative(s.replicas, 'spec.replicas'));
  errs.push(...validateSelector(s.selector, 'spec.selector', 'deployment'));
  errs.push(...validateTemplate(s.template, 'spec.template', matcherFor(s.selector), { ...ALWAYS, forbidActiveDeadline: 'ReplicaSet' }, opts));
  const st = s.strategy ?? {};
  if (st.type !== undefined && st.type !== 'Recreate' && st.type !== 'RollingUpdate') {
    errs.push(field.notSupported('spec.strategy.type', st.type, ['Recreate', 'RollingUpdate']));
  }
  if (st.type === 'Recreate' && st.rollingUpdate) {
    errs.push(field.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  }
  if (st.type === 'RollingUpdate' && st.rollingUpdate) {
    const ru = st.rollingUpdate;
    const p = 'spec.strategy.rollingUpdate';
    errs.push(...validateIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`, true));
    errs.push(...validateIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
    if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge)) errs.push(field.invalid(`${p}.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  }
  errs.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (s.progressDeadlineSeconds !== undefined) {
    errs.push(...nonNegative(s.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errs.push(field.invalid('spec.progressDeadlineSeconds', s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateDeploymentUpdate(d: Deployment, old: Deployment, opts: PodValidationOptions): FieldError[] {
  return [...validateObjectMetaUpdate(d.metadata, old.metadata), ...validateDeployment(d, opts), ...immutableSelector(d, old)];
}

export function validateReplicaSet(rs: ReplicaSet, opts: PodValidationOptions): FieldError[] {
  const errs = meta(rs);
  const s = rs.spec ?? {} as NonNullable<ReplicaSet['spec']>;
  errs.push(...nonNegative(s.replicas, 'spec.replicas'));
  errs.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateSelector(s.selector, 'spec.selector', 'deployment'));
  errs.push(...validateTemplate(s.template, 'spec.template', matcherFor(s.selector), { ...ALWAYS, forbidActiveDeadline: 'ReplicaSet' }, opts));
  return errs;
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet, opts: PodValidationOptions): FieldError[] {
  return [...validateObjectMetaUpdate(rs.metadata, old.metadata), ...validateReplicaSet(rs, opts), ...immutableSelector(rs, old)];
}

export function validateReplicationController(rc: ReplicationController, opts: PodValidationOptions): FieldError[] {
  const errs = meta(rc);
  const s = rc.spec ?? {};
  errs.push(...nonNegative(s.replicas, 'spec.replicas'));
  errs.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  const sel = s.selector ?? {};
  if (!Object.keys(sel).length) errs.push(field.required('spec.selector'));
  const parsed = selectorFromMatchLabels(sel);
  const matches = Object.keys(sel).length ? (labels: Record<string, string>) => labelsMatch(parsed, labels) : undefined;
  errs.push(...validateTemplate(s.template, 'spec.template', matches, { ...ALWAYS, forbidActiveDeadline: 'ReplicationController' }, opts));
  return errs;
}

export function validateReplicationControllerUpdate(rc: ReplicationController, old: ReplicationController, opts: PodValidationOptions): FieldError[] {
  return [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...validateReplicationController(rc, opts)];
}

/** Podling has no persistent volumes yet, so a StatefulSet asking for claims is refused rather than half-served. */
export const VOLUME_CLAIM_TEMPLATES_REFUSAL = 'volumeClaimTemplates are not supported: Podling has no persistent volumes yet; use emptyDir volumes in the pod template';

export function validateStatefulSet(sts: StatefulSet, opts: PodValidationOptions): FieldError[] {
  const errs = meta(sts, isDNS1123Label);
  const s = sts.spec ?? {} as NonNullable<StatefulSet['spec']>;
  errs.push(...nonNegative(s.replicas, 'spec.replicas'));
  errs.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  errs.push(...nonNegative(s.ordinals?.start, 'spec.ordinals.start'));
  if (s.podManagementPolicy !== undefined && !['OrderedReady', 'Parallel'].includes(s.podManagementPolicy)) {
    errs.push(field.notSupported('spec.podManagementPolicy', s.podManagementPolicy, ['OrderedReady', 'Parallel']));
  }
  const us = s.updateStrategy ?? {};
  if (us.type !== undefined && us.type !== 'RollingUpdate' && us.type !== 'OnDelete') {
    errs.push(field.notSupported('spec.updateStrategy.type', us.type, ['OnDelete', 'RollingUpdate']));
  }
  if (us.type === 'OnDelete' && us.rollingUpdate) errs.push(field.invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, 'only allowed for updateStrategy \'RollingUpdate\''));
  errs.push(...nonNegative(us.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition'));
  if (s.volumeClaimTemplates?.length) errs.push(field.forbidden('spec.volumeClaimTemplates', VOLUME_CLAIM_TEMPLATES_REFUSAL));
  errs.push(...validateSelector(s.selector, 'spec.selector', 'statefulset'));
  errs.push(...validateTemplate(s.template, 'spec.template', matcherFor(s.selector), { ...ALWAYS, forbidActiveDeadline: 'StatefulSet' }, opts));
  return errs;
}

const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSetUpdate(sts: StatefulSet, old: StatefulSet, opts: PodValidationOptions): FieldError[] {
  const errs = [...validateObjectMetaUpdate(sts.metadata, old.metadata), ...validateStatefulSet(sts, opts)];
  const strip = (spec: object | undefined) => Object.fromEntries(Object.entries(spec ?? {}).filter(([k]) => !STS_MUTABLE.includes(k)));
  if (!semanticEqual(strip(sts.spec), strip(old.spec))) {
    errs.push(field.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

export function validateDaemonSet(ds: DaemonSet, opts: PodValidationOptions): FieldError[] {
  const errs = meta(ds);
  const s = ds.spec ?? {} as NonNullable<DaemonSet['spec']>;
  errs.push(...validateSelector(s.selector, 'spec.selector', 'daemonset'));
  errs.push(...validateTemplate(s.template, 'spec.template', matcherFor(s.selector), { ...ALWAYS, forbidActiveDeadline: 'DaemonSet' }, opts));
  errs.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const us = s.updateStrategy ?? {};
  if (us.type !== undefined && us.type !== 'RollingUpdate' && us.type !== 'OnDelete') {
    errs.push(field.notSupported('spec.updateStrategy.type', us.type, ['OnDelete', 'RollingUpdate']));
  }
  if (us.type === 'RollingUpdate' && us.rollingUpdate) {
    const ru = us.rollingUpdate;
    const p = 'spec.updateStrategy.rollingUpdate';
    errs.push(...validateIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`, true));
    errs.push(...validateIntOrPercent(ru.maxSurge, `${p}.maxSurge`, true));
    if (!isZero(ru.maxSurge) && !isZero(ru.maxUnavailable)) errs.push(field.invalid(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
    if (isZero(ru.maxSurge) && isZero(ru.maxUnavailable)) errs.push(field.required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  }
  return errs;
}

export function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet, opts: PodValidationOptions): FieldError[] {
  return [...validateObjectMetaUpdate(ds.metadata, old.metadata), ...validateDaemonSet(ds, opts), ...immutableSelector(ds, old)];
}

export function validateControllerRevision(cr: ControllerRevision): FieldError[] {
  const errs = meta(cr);
  if (cr.data === undefined) errs.push(field.required('data'));
  errs.push(...nonNegative(cr.revision, 'revision'));
  return errs;
}

export function validateControllerRevisionUpdate(cr: ControllerRevision, old: ControllerRevision): FieldError[] {
  const errs = [...validateObjectMetaUpdate(cr.metadata, old.metadata), ...validateControllerRevision(cr)];
  if (!semanticEqual(cr.data, old.data)) errs.push(field.invalid('data', cr.data ?? null, 'field is immutable'));
  return errs;
}

/** Status writes: every count a controller reports is non-negative (ValidateDeploymentStatus and friends). */
export function validateWorkloadStatus(obj: KubeObject): FieldError[] {
  const status = (obj.status ?? {}) as Record<string, unknown>;
  return Object.entries(status).flatMap(([k, v]) => (typeof v === 'number' ? nonNegative(v, `status.${k}`) : []));
}
