// Requests to the apiserver with the session's token. Failures become ApiError with the Status's code and message, so
// views can say "403: pods is forbidden: …" as kubectl would.
import { session } from './session.ts';

export class ApiError extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

export interface FetchOptions {
  method?: string;
  body?: unknown;
  /** Content-Type of a PATCH body; JSON otherwise. */
  patch?: 'merge' | 'strategic';
  signal?: AbortSignal;
}

export function authHeaders(): Record<string, string> {
  const token = session.token();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** The raw response of a request that succeeded (2xx); anything else throws ApiError. */
export async function request(path: string, opts: FetchOptions = {}): Promise<Response> {
  const contentType = opts.patch === 'merge' ? 'application/merge-patch+json'
    : opts.patch === 'strategic' ? 'application/strategic-merge-patch+json' : 'application/json';
  const res = await fetch(path, {
    method: opts.method ?? 'GET', signal: opts.signal,
    headers: { Accept: 'application/json', ...authHeaders(), ...(opts.body !== undefined ? { 'Content-Type': contentType } : {}) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  if (res.ok) return res;
  const text = await res.text();
  let message = `${res.status} ${res.statusText}`;
  try { message = (JSON.parse(text) as { message?: string }).message || message; } catch { /* not a Status */ }
  if (res.status === 401) session.unauthorized();
  throw new ApiError(res.status, message);
}

export async function api<T>(path: string, opts: FetchOptions = {}): Promise<T> {
  return (await request(path, opts)).json() as Promise<T>;
}
