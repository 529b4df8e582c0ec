// The agent's own endpoint, for the apiserver only (kubelet-auth.ts): GET /healthz (open), GET
// /containerLogs/{namespace}/{pod}/{container} with follow, tailLines, timestamps, previous, limitBytes,
// sinceSeconds (what pods/log proxies to), and the streaming endpoints /exec, /attach, /portForward
// (stream-server.ts). Plain HTTP on a loopback cluster with a shared token, HTTPS with a client CA otherwise.
// Logs are text/plain; errors are Kubernetes Status JSON. Built without listening so tests can drive it.
import http from 'node:http';
import https from 'node:https';
import { isStatusError, queryBool, StatusError, type Status } from '@podling/api';
import { followInstanceLog, readInstanceLog, type LogOptions } from './log-reader.ts';
import type { LogTarget } from './container-log-target.ts';
import type { Logger } from './logger.ts';
import { isApiserver, proofHeaders, type KubeletAuthConfig } from './kubelet-auth.ts';
import { handleStreamUpgrade, type StreamDeps } from './stream-server.ts';

export interface KubeletServerDeps extends StreamDeps {
  /** Throws StatusError (404 unknown pod, 400 container problems). */
  findLog(namespace: string, pod: string, container: string, previous: boolean): LogTarget;
  auth: KubeletAuthConfig;
  /** PEM key, certificate and client CA: serve HTTPS and require the apiserver's client certificate. */
  tls?: { key: Buffer; cert: Buffer; ca: Buffer };
  log: Logger;
}

const LOGS_PATH = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)\/?$/;

const REQUEST_HEADER_TIMEOUT_MS = 30_000;
const REQUEST_READ_TIMEOUT_MS = 60_000;

export function buildKubeletServer(deps: KubeletServerDeps): http.Server {
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res, deps).catch((err: unknown) => {
      const status = isStatusError(err) ? err.status : undefined;
      if (!status) deps.log.error({ err, url: req.url }, 'request failed');
      if (res.headersSent) { res.destroy(); return; }
      // Like the apiserver: a caller that could not authenticate keeps no connection open on the agent's port.
      if (status?.code === 401) res.setHeader('connection', 'close');
      sendStatus(res, status ?? new StatusError(500, 'InternalError', 'Internal error occurred: an error on the server has prevented the request from succeeding').status);
    });
  };
  const server: http.Server = deps.tls
    ? https.createServer({ key: deps.tls.key, cert: deps.tls.cert, ca: deps.tls.ca, requestCert: true, rejectUnauthorized: false, handshakeTimeout: REQUEST_HEADER_TIMEOUT_MS }, onRequest)
    : http.createServer(onRequest);
  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => handleStreamUpgrade(req, socket, head, deps));
  server.keepAliveTimeout = 5000;
  // The request phase is bounded as on the apiserver (issue 14.10's sibling on the agent's port): headers and the
  // whole request must arrive in time; a followed log or an exec stream, once accepted, is never cut.
  server.headersTimeout = REQUEST_HEADER_TIMEOUT_MS;
  server.requestTimeout = REQUEST_READ_TIMEOUT_MS;
  return server;
}

/** Splits a path matched by `re` into its decoded segments; a malformed %-encoding is the client's error. */
export function decodeSegments(m: RegExpExecArray): string[] {
  try {
    return m.slice(1).map(decodeURIComponent);
  } catch {
    throw new StatusError(400, 'BadRequest', 'malformed percent-encoding in the request path');
  }
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, deps: KubeletServerDeps): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://kubelet');
  if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  if (!isApiserver(req, deps.auth)) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
  for (const [k, v] of Object.entries(proofHeaders(req, deps.auth))) res.setHeader(k, v);
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new StatusError(405, 'MethodNotAllowed', `${req.method} is not supported`);
  const m = LOGS_PATH.exec(url.pathname);
  if (!m) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  const [ns, pod, container] = decodeSegments(m);
  const q = url.searchParams;
  const bool = (k: string) => queryBool(q.get(k));
  const int = (k: string): number | undefined => {
    const v = q.get(k);
    if (v === null || v === '') return undefined;
    if (!/^\d+$/.test(v)) throw new StatusError(400, 'BadRequest', `invalid ${k}: ${JSON.stringify(v)} is not a non-negative integer`);
    return Number(v);
  };
  const opts: LogOptions = { tailLines: int('tailLines'), sinceSeconds: int('sinceSeconds'), limitBytes: int('limitBytes'), timestamps: bool('timestamps') };
  const target = deps.findLog(ns, pod, container, bool('previous'));
  if (!bool('follow')) {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(readInstanceLog(target.logPath, opts));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache' });
  res.flushHeaders();
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  for await (const chunk of followInstanceLog(target, opts, abort.signal)) {
    if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
  }
  res.end();
}

function sendStatus(res: http.ServerResponse, s: Status): void {
  res.writeHead(s.code, { 'content-type': 'application/json' }).end(JSON.stringify(s));
}
