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
// /ui/ (the dashboard's static files) is open the same way: the page has to load before it can ask for a token.
//
// A websocket request without an Authorization header may carry its token as a subprotocol (websocket-bearer.ts);
// once accepted, that protocol is taken off the request so the upgrade never echoes it.
//
// Register this before the routes: hooks apply to routes added after them in the same context.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errors, type StatusError } from '@podling/api';
import { authenticate } from './authenticate.ts';
import { bearerFromProtocols } from './websocket-bearer.ts';
import { authorize, forbiddenError } from './authorize.ts';
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
  /** Accept requests without a token (the loopback dev default, or --insecure-allow-anonymous). */
  anonymous: boolean;
}

export function registerAuth(app: FastifyInstance, opts: AuthOptions): void {
  app.decorateRequest('user', null as unknown as UserInfo);
  app.decorateRequest('requestInfo', null as unknown as RequestInfo);

  app.addHook('onRequest', async (request, reply) => {
    const info = requestInfo(request.method, request.url);
    request.requestInfo = info;
    let authorization = request.headers.authorization;
    const protocol = authorization === undefined && opts.tokens && isWebsocket(request.headers.upgrade)
      ? bearerFromProtocols(request.headers['sec-websocket-protocol']) : null;
    if (protocol && 'error' in protocol) return sendStatus(reply, errors.unauthorized(protocol.error));
    if (protocol) authorization = `Bearer ${protocol.token}`;
    const user = identify(authorization, info.path, opts);
    if (user === undefined) return sendStatus(reply, errors.unauthorized());
    if (protocol) request.raw.headers['sec-websocket-protocol'] = protocol.remaining.join(', ');
    request.user = user;
    const decision = authorize(user, info);
    if (!decision.allowed) {
      request.log.debug({ user: user.name, verb: info.verb, path: info.path, reason: decision.reason }, 'forbidden');
      return sendStatus(reply, forbiddenError(user, info, decision.reason));
    }
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

/** Probes, and the dashboard's static files (which hold no data: the UI asks for a token before it reads any). */
function alwaysOpen(path: string): boolean {
  return /^\/(version|healthz|livez|readyz|ui)(\/.*)?$/.test(path);
}

const isWebsocket = (upgrade: string | undefined) => (upgrade ?? '').toLowerCase() === 'websocket';

function sendStatus(reply: FastifyReply, e: StatusError): FastifyReply {
  return reply.code(e.code).headers(e.headers).type('application/json').send(e.status);
}
