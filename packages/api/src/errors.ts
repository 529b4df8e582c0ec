// Kubernetes Status errors. Each constructor fixes the HTTP code and reason together (apimachinery
// pkg/api/errors/errors.go), so a handler can only produce combinations Kubernetes clients understand.
import type { Status, StatusDetails } from './types.ts';
import { type FieldError, fieldErrorText } from './field-errors.ts';

const BRAND = Symbol.for('podling.StatusError');

export class StatusError extends Error {
  readonly [BRAND] = true;
  readonly status: Status;
  /** Extra response headers (Retry-After). */
  readonly headers: Record<string, string>;
  constructor(code: number, reason: string, message: string, details?: StatusDetails, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'StatusError';
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
    this.headers = headers;
  }
  get code(): number { return this.status.code; }
  get reason(): string { return this.status.reason ?? ''; }
}

/** Recognised by brand, not instanceof, so two copies of this package still agree. */
export function isStatusError(e: unknown): e is StatusError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

const q = (s: string) => JSON.stringify(s);

export const errors = {
  notFound: (resource: string, name: string) =>
    new StatusError(404, 'NotFound', `${resource} ${q(name)} not found`, { name, kind: resource }),
  alreadyExists: (resource: string, name: string, beingDeleted = false) =>
    new StatusError(409, 'AlreadyExists', `${beingDeleted ? 'object is being deleted: ' : ''}${resource} ${q(name)} already exists`, { name, kind: resource }),
  generateNameConflict: (resource: string, name: string) =>
    new StatusError(409, 'AlreadyExists',
      `${resource} ${q(name)} already exists, the server was not able to generate a unique name for the object`,
      { name, kind: resource, retryAfterSeconds: 1 }, { 'retry-after': '1' }),
  conflict: (resource: string, name: string, detail: string) =>
    new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} ${q(name)}: ${detail}`, { name, kind: resource }),
  /** The optimistic-lock conflict every stale resourceVersion gets. */
  staleResourceVersion: (resource: string, name: string) =>
    errors.conflict(resource, name, 'the object has been modified; please apply your changes to the latest version and try again'),
  /** `group` qualifies the kind in the message as kube-apiserver does (`Deployment.apps "x" is invalid: …`). */
  invalid: (kind: string, name: string, causes: FieldError[], group = '') => {
    const texts = causes.map(fieldErrorText);
    const summary = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
    return new StatusError(422, 'Invalid', `${group ? `${kind}.${group}` : kind} ${q(name)} is invalid: ${summary}`, {
      name, ...(group ? { group } : {}), kind, causes: causes.map((c) => ({ reason: c.type, message: c.body, field: c.field })),
    });
  },
  badRequest: (message: string) => new StatusError(400, 'BadRequest', message),
  unauthorized: (message = 'Unauthorized') => new StatusError(401, 'Unauthorized', message),
  forbidden: (resource: string, name: string | undefined, detail: string) =>
    new StatusError(403, 'Forbidden', name ? `${resource} ${q(name)} is forbidden: ${detail}` : `${resource} is forbidden: ${detail}`,
      { ...(name ? { name } : {}), kind: resource }),
  methodNotAllowed: (method: string, kind: string) =>
    new StatusError(405, 'MethodNotAllowed', `${method} is not supported on resources of kind ${q(kind)}`),
  notAcceptable: (message: string) => new StatusError(406, 'NotAcceptable', message),
  expired: (message: string) => new StatusError(410, 'Expired', message),
  tooLarge: (message: string) => new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`),
  unsupportedMediaType: (accepted: string[]) =>
    new StatusError(415, 'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`),
  tooManyRequests: (message: string, retryAfterSeconds = 1) =>
    new StatusError(429, 'TooManyRequests', `Too many requests: ${message}`, { retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) }),
  internal: (message = 'an error on the server has prevented the request from succeeding') =>
    new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }),
  serviceUnavailable: (message: string) => new StatusError(503, 'ServiceUnavailable', message),
  timeout: (message: string) => new StatusError(504, 'Timeout', `Timeout: ${message}`),
};

export function successStatus(code: number, details?: StatusDetails): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}), code };
}
