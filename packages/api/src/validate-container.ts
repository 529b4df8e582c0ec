// Container-level validation (k/k pkg/apis/core/validation/validation.go `validateContainers`,
// `validateInitContainers`, ports, mounts, resources, security context); probes and handlers: validate-handler.ts.
import { field, type FieldError } from './field-errors.ts';
import { isDNS1123Label } from './names.ts';
import { isValidQuantity, parseQuantity } from './quantity.ts';
import type { Container } from './types.ts';
import { inclusiveRange, MAX_INT32, NON_NEGATIVE, validateHandler, validateProbe } from './validate-handler.ts';

export { inclusiveRange, MAX_GRACE_PERIOD_SECONDS, NON_NEGATIVE } from './validate-handler.ts';

export interface ContainerContext {
  allowPrivileged: boolean;
  volumeNames: Set<string>;
  gracePeriod: number | undefined;
}

function validateResources(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const { requests = {}, limits = {} } = c.resources ?? {};
  for (const [kind, map] of [['limits', limits], ['requests', requests]] as const) {
    for (const [r, q] of Object.entries(map)) {
      if (!isValidQuantity(q)) errs.push(field.invalid(`${path}.resources.${kind}[${r}]`, q, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
      else if (parseQuantity(q) < 0) errs.push(field.invalid(`${path}.resources.${kind}[${r}]`, q, NON_NEGATIVE));
    }
  }
  for (const [r, q] of Object.entries(requests)) {
    const l = limits[r];
    if (l !== undefined && isValidQuantity(q) && isValidQuantity(l) && parseQuantity(q) > parseQuantity(l)) {
      errs.push(field.invalid(`${path}.resources.requests`, q, `must be less than or equal to ${r} limit of ${l}`));
    }
  }
  return errs;
}

function validateSecurityContext(c: Container, path: string, ctx: ContainerContext): FieldError[] {
  const sc = c.securityContext;
  if (!sc) return [];
  const errs: FieldError[] = [];
  if (sc.privileged === true && !ctx.allowPrivileged) errs.push(field.forbidden(`${path}.securityContext.privileged`, 'disallowed by cluster policy'));
  errs.push(...validateIds(sc, `${path}.securityContext`));
  return errs;
}

export function validateIds(sc: { runAsUser?: number; runAsGroup?: number }, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['runAsUser', 'runAsGroup'] as const) {
    const v = sc[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > MAX_INT32)) errs.push(field.invalid(`${path}.${k}`, v, inclusiveRange(0, MAX_INT32)));
  }
  return errs;
}

/** Checks one container; name uniqueness across the pod is checked by the caller. */
export function validateContainer(c: Container, path: string, ctx: ContainerContext, init: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(field.required(`${path}.name`));
  else for (const m of isDNS1123Label(c.name)) errs.push(field.invalid(`${path}.name`, c.name, m));
  if (!c.image) errs.push(field.required(`${path}.image`));
  else if (c.image.trim() !== c.image) errs.push(field.invalid(`${path}.image`, c.image, 'must not have leading or trailing whitespace'));
  const sidecar = init && c.restartPolicy === 'Always';
  if (c.restartPolicy !== undefined) {
    if (!init) errs.push(field.forbidden(`${path}.restartPolicy`, 'may not be set for non-init containers'));
    else if (c.restartPolicy !== 'Always') errs.push(field.notSupported(`${path}.restartPolicy`, c.restartPolicy, ['Always']));
  }
  if (init && !sidecar) {
    for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (c[k] !== undefined) errs.push(field.forbidden(`${path}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
    }
  } else {
    for (const k of ['postStart', 'preStop'] as const) {
      const h = c.lifecycle?.[k];
      if (h) errs.push(...validateHandler(h, ['exec', 'httpGet', 'tcpSocket', 'sleep'], `${path}.lifecycle.${k}`, ctx.gracePeriod));
    }
    for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) errs.push(...validateProbe(c[k], k, `${path}.${k}`, ctx.gracePeriod));
  }
  if (c.terminationMessagePolicy !== undefined && !['File', 'FallbackToLogsOnError'].includes(c.terminationMessagePolicy)) {
    errs.push(field.notSupported(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, ['File', 'FallbackToLogsOnError']));
  }
  if (c.imagePullPolicy !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy)) {
    errs.push(field.notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never']));
  }
  (c.ports ?? []).forEach((p, i) => {
    const pp = `${path}.ports[${i}]`;
    if (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65535) errs.push(field.invalid(`${pp}.containerPort`, p.containerPort, inclusiveRange(1, 65535)));
    if (p.hostPort !== undefined && p.hostPort !== 0 && (p.hostPort < 1 || p.hostPort > 65535)) errs.push(field.invalid(`${pp}.hostPort`, p.hostPort, inclusiveRange(1, 65535)));
    if (p.protocol !== undefined && !['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(field.notSupported(`${pp}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  (c.env ?? []).forEach((e, i) => { if (!e.name) errs.push(field.required(`${path}.env[${i}].name`)); });
  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const mp = `${path}.volumeMounts[${i}]`;
    if (!m.name) errs.push(field.required(`${mp}.name`));
    else if (!ctx.volumeNames.has(m.name)) errs.push(field.notFound(`${mp}.name`, m.name));
    if (!m.mountPath) errs.push(field.required(`${mp}.mountPath`));
    else if (mountPaths.has(m.mountPath)) errs.push(field.invalid(`${mp}.mountPath`, m.mountPath, 'must be unique'));
    if (m.mountPath) mountPaths.add(m.mountPath);
  });
  errs.push(...validateResources(c, path));
  errs.push(...validateSecurityContext(c, path, ctx));
  return errs;
}
