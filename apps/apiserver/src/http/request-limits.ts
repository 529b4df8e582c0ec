// What one client may hold of the server while its request is still arriving: time (header, read and idle
// timeouts), concurrent requests (inflight-pools.ts), body memory (body-budget.ts), and the connection itself.
//
// Only the request phase is bounded. Node's headersTimeout and requestTimeout stop counting once a request has
// fully arrived, so a watch or a log follow may stream its response for as long as it likes; fastify's
// connectionTimeout (socket inactivity) stays off for the same reason. An expired request is answered 408 and
// closed (client-error.ts).
import type { FastifyInstance } from 'fastify';
import { errors, type StatusError } from '@podling/api';
import { requestInfo } from '../auth/index.ts';
import { BODY_LIMIT_BYTES } from './body-parsers.ts';
import { BodyBudget } from './body-budget.ts';
import { flowOf, InflightPools } from './inflight-pools.ts';

export interface RequestLimits {
  /** The request line and headers must arrive within this (--request-header-timeout). */
  headerTimeoutMs: number;
  /** The whole request, headers and body, must arrive within this (--request-read-timeout). */
  readTimeoutMs: number;
  /** A keep-alive connection with no request in progress is closed after this (--idle-connection-timeout). */
  idleTimeoutMs: number;
  /** --max-requests-inflight and --max-mutating-requests-inflight; 0 = no cap. */
  maxReadonlyInflight: number;
  maxMutatingInflight: number;
  /** --max-request-bytes-inflight; 0 = no budget. */
  maxBodyBytesInflight: number;
}

/** The fastify options and node http(s) server options that carry the timeouts. */
export function serverTimeoutOptions(l: RequestLimits): {
  fastify: { keepAliveTimeout: number; requestTimeout: number };
  node: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
  /** For HTTPS: a TLS handshake gets no longer than the headers that follow it (Node's default is 120 s). */
  tls: { handshakeTimeout: number };
} {
  // Node checks the timeouts on an interval (30 s by default), which would let a 10 s timeout run to 40 s.
  const check = Math.min(5000, Math.max(100, Math.floor(Math.min(l.headerTimeoutMs, l.readTimeoutMs) / 4)));
  return {
    fastify: { keepAliveTimeout: l.idleTimeoutMs, requestTimeout: l.readTimeoutMs },
    node: { headersTimeout: l.headerTimeoutMs, requestTimeout: l.readTimeoutMs, connectionsCheckingInterval: check },
    tls: { handshakeTimeout: l.headerTimeoutMs },
  };
}

export interface RequestLimitStats {
  readonlyInflight: number;
  mutatingInflight: number;
  /** Requests refused with 429 by the in-flight caps. */
  inflightRefused: number;
  bodyBytesInflight: number;
  /** Requests refused with 429 by the body budget. */
  bodiesRefused: number;
}

/**
 * Registers the limits as hooks and returns their counters (for /metrics). Call it after authentication is
 * registered: the in-flight pools need the user. What happens to the connection of a refused request is
 * connection-rule.ts.
 */
export function registerRequestLimits(app: FastifyInstance, l: RequestLimits): () => RequestLimitStats {
  const pools = new InflightPools({ maxReadonly: l.maxReadonlyInflight, maxMutating: l.maxMutatingInflight });
  const budget = new BodyBudget(l.maxBodyBytesInflight);
  app.addHook('onRequest', async (request, reply) => {
    // A websocket is a stream, like a watch, and its upgrade has no body: not counted. (Its reply.raw is not a
    // real response either, so a slot could wait for a 'close' that never comes.)
    if (request.headers.upgrade !== undefined) return;
    const info = request.requestInfo ?? requestInfo(request.method, request.url);
    const flow = flowOf(request.user ?? undefined, info);
    const releases: (() => void)[] = [];
    const refuse = (e: StatusError) => {
      for (const r of releases) r();
      return reply.code(e.code).headers(e.headers).type('application/json').send(e.status);
    };
    if (flow !== undefined) {
      const release = pools.acquire(flow, info.verb);
      if (!release) return refuse(errors.tooManyRequests('the server has too many requests in flight from this client class; please try again later'));
      releases.push(release);
    }
    const bytes = bodyBytes(request.method, request.headers);
    if (bytes > 0) {
      const release = budget.reserve(bytes);
      if (!release) return refuse(errors.tooManyRequests('the server is receiving too many request bodies at once; please try again later'));
      releases.push(release);
    }
    // 'close' comes when the response is done or the connection is gone, whichever is first.
    if (releases.length) reply.raw.once('close', () => { for (const r of releases) r(); });
  });
  return () => {
    const p = pools.stats();
    return {
      readonlyInflight: p.readonly, mutatingInflight: p.mutating, inflightRefused: p.refused,
      bodyBytesInflight: budget.bytesInFlight, bodiesRefused: budget.refused,
    };
  };
}

/** Bytes a body will be buffered as; 0 when fastify does not read one (GET/HEAD, no body, or over the 3 MiB
 *  limit, which fastify refuses with 413 from Content-Length alone). */
function bodyBytes(method: string, headers: Record<string, string | string[] | undefined>): number {
  if (method === 'GET' || method === 'HEAD') return 0;
  const length = headers['content-length'];
  if (typeof length === 'string') {
    const n = Number(length);
    return Number.isSafeInteger(n) && n > 0 && n <= BODY_LIMIT_BYTES ? n : 0;
  }
  return headers['transfer-encoding'] !== undefined ? BODY_LIMIT_BYTES : 0;
}
