// Translates a non-2xx HTTP response into a StatusError once, at the client boundary, so callers only ever
// test `isStatusError(e) && e.code === 404` (or `.reason`), whatever body the server sent.
import { StatusError, type Status } from '@podling/api';

/** The reason Kubernetes pairs with each code, used when the body is not a Status. */
const reasonForCode: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Expired', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

export function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

/** A StatusError carrying the server's code/reason/message/details, or the HTTP code and body text. */
export function statusErrorFromBody(httpCode: number, text: string, retryAfter?: string | null): StatusError {
  const headers: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {};
  let body: unknown;
  try { body = JSON.parse(text); } catch { /* not JSON: fall through */ }
  if (isStatus(body)) {
    return new StatusError(body.code || httpCode, body.reason ?? reasonForCode[httpCode] ?? 'Unknown',
      body.message ?? '', body.details, headers);
  }
  const message = text.trim() || `the server responded with HTTP ${httpCode}`;
  return new StatusError(httpCode, reasonForCode[httpCode] ?? 'Unknown', message, undefined, headers);
}

/** Same, from a StatusError-shaped ERROR watch event object. */
export function statusErrorFromStatus(s: Status): StatusError {
  return new StatusError(s.code, s.reason ?? reasonForCode[s.code] ?? 'Unknown', s.message ?? '', s.details);
}

export async function statusErrorFromResponse(res: { status: number; text(): Promise<string>; headers: { get(n: string): string | null } }): Promise<StatusError> {
  let text = '';
  try { text = await res.text(); } catch { /* body lost: the code alone still says what happened */ }
  return statusErrorFromBody(res.status, text, res.headers.get('retry-after'));
}
