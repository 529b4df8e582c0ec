// Probes and lifecycle handlers (k/k pkg/apis/core/validation/validation.go `validateHandler`, `validateProbe`,
// `validateLivenessProbe`/`validateReadinessProbe`/`validateStartupProbe`, `validateHTTPGetAction`,
// `ValidatePortNumOrName`), with Kubernetes' messages.
import { field, type FieldError } from './field-errors.ts';
import { isValidPortName, isValidPortNum } from './names.ts';
import type { HTTPGetAction, LifecycleHandler, Probe } from './types.ts';

export const NON_NEGATIVE = 'must be greater than or equal to 0';
export const inclusiveRange = (lo: number, hi: number): string => `must be between ${lo} and ${hi}, inclusive`;
export const MAX_INT32 = 2147483647;
/**
 * The longest grace period in seconds: the most whole seconds Go's time.Duration (int64 nanoseconds) holds, which is
 * what a kubelet turns a grace period into. Kubernetes declares these fields int64 and lets its decoder refuse what
 * does not fit; a larger value that does fit overflows the kubelet's timer and the deletion timestamp, leaving a pod
 * that cannot be deleted. Podling refuses it as Invalid at create instead.
 */
export const MAX_GRACE_PERIOD_SECONDS = 9223372036;
const HTTP_HEADER_NAME = /^[-A-Za-z0-9]+$/;
const HTTP_HEADER_MSG = "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')";

export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';
type AnyHandler = LifecycleHandler & Probe;

/** Exactly one handler: more → Forbidden on the extra one, none → Required on the handler itself. */
export function validateHandler(h: AnyHandler, kinds: (keyof AnyHandler)[], path: string, gracePeriod: number | undefined): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const k of kinds) {
    if (h[k] === undefined || h[k] === null) continue;
    if (count > 0) { errs.push(field.forbidden(`${path}.${k}`, 'may not specify more than 1 handler type')); continue; }
    count++;
    const p = `${path}.${k}`;
    if (k === 'exec' && !(h.exec?.command?.length)) errs.push(field.required(`${p}.command`));
    if (k === 'httpGet') errs.push(...validateHTTPGet(h.httpGet!, p));
    if (k === 'tcpSocket') errs.push(...validatePortNumOrName(h.tcpSocket!.port, `${p}.port`));
    if (k === 'grpc') for (const m of isValidPortNum(h.grpc!.port)) errs.push(field.invalid(`${p}.port`, h.grpc!.port, m));
    if (k === 'sleep') {
      const s = h.sleep?.seconds ?? 0;
      const max = gracePeriod ?? 30;
      if (s <= 0 || s > max) errs.push(field.invalid(`${p}.seconds`, s, `must be greater than 0 and less than terminationGracePeriodSeconds (${max})`));
    }
  }
  if (count === 0) errs.push(field.required(path, 'must specify a handler type'));
  return errs;
}

function validateHTTPGet(g: HTTPGetAction, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!g.path) errs.push(field.required(`${path}.path`));
  errs.push(...validatePortNumOrName(g.port, `${path}.port`));
  if (g.scheme !== 'HTTP' && g.scheme !== 'HTTPS') errs.push(field.notSupported(`${path}.scheme`, g.scheme ?? '', ['HTTP', 'HTTPS']));
  for (const hd of g.httpHeaders ?? []) {
    if (!HTTP_HEADER_NAME.test(hd.name ?? '')) errs.push(field.invalid(`${path}.httpHeaders`, hd.name ?? '', HTTP_HEADER_MSG));
  }
  return errs;
}

export function validatePortNumOrName(port: number | string | undefined, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => field.invalid(path, port, m));
  return isValidPortName(port ?? '').map((m) => field.invalid(path, port ?? '', m));
}

export function validateProbe(p: Probe | undefined, kind: ProbeKind, path: string, gracePeriod: number | undefined): FieldError[] {
  if (!p) return [];
  const errs = validateHandler(p, ['exec', 'httpGet', 'tcpSocket', 'grpc'], path, gracePeriod);
  // int32 fields in Kubernetes: a larger number is refused there by the decoder.
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const v = p[k];
    if (v !== undefined && v < 0) errs.push(field.invalid(`${path}.${k}`, v, NON_NEGATIVE));
    else if (v !== undefined && v > MAX_INT32) errs.push(field.invalid(`${path}.${k}`, v, inclusiveRange(0, MAX_INT32)));
  }
  const tgps = p.terminationGracePeriodSeconds;
  if (tgps !== undefined && tgps <= 0) errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, tgps, 'must be greater than 0'));
  else if (tgps !== undefined && tgps > MAX_GRACE_PERIOD_SECONDS) {
    errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, tgps, inclusiveRange(1, MAX_GRACE_PERIOD_SECONDS)));
  }
  if (kind !== 'readinessProbe' && p.successThreshold !== undefined && p.successThreshold !== 1) {
    errs.push(field.invalid(`${path}.successThreshold`, p.successThreshold, 'must be 1'));
  }
  if (kind === 'readinessProbe' && p.terminationGracePeriodSeconds !== undefined) {
    errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, p.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return errs;
}
