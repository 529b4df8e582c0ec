// Authentication and authorization as fastify hooks: every request gets `request.user` and `request.requestInfo`
// before routing, or ends right there with a 401 or 403 Status (kubectl-wire.md §12–13).
//
//   tokens  anonymous  no/other Authorization header       bad bearer token   valid token
//   none    true       system:anonymous in system:masters  (header ignored)   (header ignored)
//   none    false      401 (misconfigured: fail closed)    401                401
//   set     true       system:anonymous, open paths only   401                the token's user
//   set     false      401                                 401                the token's user
//
// /version, /healthz, /livez and /readyz (and their subpaths) never answer 401: probes and kubectl's first call
// carry no token or a stale one, and a real apiserver leaves them open too.
//
// Register this before the routes: hooks apply to routes added after them in the same context.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errors, type StatusError } from '@podling/api';
import { authenticate } from './authenticate.ts';
import { authorize, forbiddenError, requiredCreateName } from './authorize.ts';
import { requestInfo, type RequestInfo } from './request-info.ts';
import type { TokenMap } from './token-file.ts';
import { anonymousAdmin, anonymousUser, type UserInfo } from './user-info.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request; set by registerAuth's onRequest hook before any handler runs. */
    user: UserInfo;
    /** What the request asks for, as authorization saw it. */
    requestInfo: RequestInfo;
  }
}

export interface AuthOptions {
  /** Bearer tokens from --token-auth-file; undefined when none was given. */
  tokens?: TokenMap;
  /** The node a pod is bound to, for node authorization of pod status writes and deletes. */
  podNodeName: (namespace: string, name: string) => string | undefined;
  /** Accept requests without a token (the loopback dev default, or --insecure-allow-anonymous). */
  anonymous: boolean;
}

export function registerAuth(app: FastifyInstance, opts: AuthOptions): void {
  app.decorateRequest('user', null as unknown as UserInfo);
  app.decorateRequest('requestInfo', null as unknown as RequestInfo);

  app.addHook('onRequest', async (request, reply) => {
    const info = requestInfo(request.method, request.url);
    request.requestInfo = info;
    const user = identify(request.headers.authorization, info.path, opts);
    if (user === undefined) return sendStatus(reply, errors.unauthorized());
    request.user = user;
    const decision = authorize(user, info, { podNodeName: opts.podNodeName });
    if (!decision.allowed) {
      request.log.debug({ user: user.name, verb: info.verb, path: info.path, reason: decision.reason }, 'forbidden');
      return sendStatus(reply, forbiddenError(user, info, decision.reason));
    }
  });

  // A node may create only its own Node and Lease; the name is in the body, which onRequest cannot see yet.
  app.addHook('preHandler', async (request, reply) => {
    if (!request.user || !request.requestInfo) return;
    const required = requiredCreateName(request.user, request.requestInfo);
    if (required === undefined) return;
    const name = bodyName(request.body);
    if (name === required) return;
    const reason = `node ${JSON.stringify(required)} can only create a ${request.requestInfo.resource} object named ${JSON.stringify(required)}`;
    return sendStatus(reply, forbiddenError(request.user, request.requestInfo, reason));
  });
}

/** The authenticated user, or undefined for a 401. */
function identify(header: string | undefined, path: string, opts: AuthOptions): UserInfo | undefined {
  if (!opts.tokens) return opts.anonymous ? anonymousAdmin : alwaysOpen(path) ? anonymousUser : undefined;
  const result = authenticate(header, opts.tokens);
  if (result !== null && result !== 'invalid') return result;
  if (alwaysOpen(path)) return anonymousUser;
  if (result === null && opts.anonymous) return anonymousUser;
  return undefined;
}

function alwaysOpen(path: string): boolean {
  return /^\/(version|healthz|livez|readyz)(\/.*)?$/.test(path);
}

/** metadata.name of a parsed JSON body (object, Buffer or string); undefined when there is none to read. */
function bodyName(body: unknown): string | undefined {
  let obj = body;
  if (typeof obj === 'string' || Buffer.isBuffer(obj)) {
    try { obj = JSON.parse(obj.toString()); } catch { return undefined; }
  }
  const meta = (obj as { metadata?: { name?: unknown } } | null)?.metadata;
  return typeof meta?.name === 'string' ? meta.name : undefined;
}

function sendStatus(reply: FastifyReply, e: StatusError): FastifyReply {
  return reply.code(e.code).headers(e.headers).type('application/json').send(e.status);
}
