// The agent's streaming endpoints, as the kubelet names them (pkg/kubelet/server/server.go):
//   /exec/{ns}/{pod}/{container}?command=…&input=1&output=1&error=1&tty=1    v5/v4.channel.k8s.io
//   /attach/{ns}/{pod}/{container}?input=1&output=1&error=1&tty=1            v5/v4.channel.k8s.io
//   /portForward/{ns}/{pod}?port=8080,9090                                   portforward.k8s.io: kubectl's SPDY session,
//                                                                            tunnelled (the apiserver unwraps
//                                                                            SPDY/3.1+portforward.k8s.io to it);
//                                                                            v4.channel.k8s.io: the legacy websocket
// Only the apiserver may upgrade (kubelet-auth.ts). A refusal before the upgrade is a plain-text HTTP error, as the
// kubelet's (`container not found ("c")`); the apiserver turns it into an InternalError Status for the client.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isStatusError } from '@podling/api';
import type { EntryPlan } from './container-entry.ts';
import { isApiserver, proofHeaders, type KubeletAuthConfig } from './kubelet-auth.ts';
import type { Logger } from './logger.ts';
import { runExecSession, type StreamOptions } from './exec-session.ts';
import { runAttachSession, type AttachTarget } from './attach-session.ts';
import { runLegacyPortForward } from './port-forward-legacy.ts';
import { runSpdyPortForward, SPDY_PORTFORWARD_PROTOCOL } from './port-forward-spdy.ts';
import type { PodPortTarget } from './pod-port-dialer.ts';
import { EXEC_PROTOCOLS } from './stream-channels.ts';

export interface ContainerHandle {
  /** How to run an argv inside the running container. */
  enter(argv: string[]): EntryPlan;
  /** The running instance's stdio, when the container has stdin or a TTY to attach to. */
  attach(): AttachTarget;
}

export interface StreamDeps {
  /** The running container; throws StreamRefusal (or a StatusError) when there is none. */
  findContainer(namespace: string, pod: string, container: string): ContainerHandle;
  findPodPortTarget(namespace: string, pod: string): PodPortTarget;
  auth: KubeletAuthConfig;
  log: Logger;
}

/** Why a stream cannot start, answered as the kubelet does: plain text with an HTTP code. */
export class StreamRefusal extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

const PATHS = /^\/(exec|attach)\/([^/]+)\/([^/]+)\/([^/]+)\/?$|^\/(portForward)\/([^/]+)\/([^/]+)\/?$/;
const PROOF = Symbol('proof');
type Marked = http.IncomingMessage & { [PROOF]?: Record<string, string> };

const wss = new WebSocketServer({
  noServer: true, maxPayload: 1024 * 1024,
  handleProtocols: (offered, req) => {
    const wanted = /^\/portForward\//.test(req.url ?? '') ? [SPDY_PORTFORWARD_PROTOCOL, 'v4.channel.k8s.io'] : EXEC_PROTOCOLS;
    return wanted.find((p) => offered.has(p)) ?? false;
  },
});
wss.on('headers', (headers, req: Marked) => {
  for (const [k, v] of Object.entries(req[PROOF] ?? {})) headers.push(`${k}: ${v}`);
});

export function handleStreamUpgrade(req: Marked, socket: Duplex, head: Buffer, deps: StreamDeps): void {
  socket.on('error', () => socket.destroy());
  try {
    if (!isApiserver(req, deps.auth)) throw new StreamRefusal(401, 'Unauthorized');
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new StreamRefusal(400, 'only websocket upgrades are supported');
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const m = PATHS.exec(url.pathname);
    if (!m) throw new StreamRefusal(404, 'the server could not find the requested resource');
    let parts: string[];
    try { parts = m.slice(1).filter((x) => x !== undefined).map(decodeURIComponent); } catch { throw new StreamRefusal(400, 'malformed percent-encoding in the request path'); }
    const [kind, ns, pod, container] = parts;
    const q = url.searchParams;
    const flag = (k: string, alt: string) => ['1', 'true'].includes(q.get(k) ?? q.get(alt) ?? '');
    req[PROOF] = proofHeaders(req, deps.auth);
    if (kind === 'portForward') {
      const ports = q.getAll('port').flatMap((p) => p.split(',')).filter((p) => p !== '').map(Number);
      if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw new StreamRefusal(400, 'invalid port: ports must be between 1 and 65535');
      const net = deps.findPodPortTarget(ns, pod);
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      if (offered.includes(SPDY_PORTFORWARD_PROTOCOL)) {
        return upgrade(req, socket, head, (ws) => runSpdyPortForward(ws, net, deps.log));
      }
      if (ports.length === 0) throw new StreamRefusal(400, 'query parameter "port" is required');
      return upgrade(req, socket, head, (ws) => runLegacyPortForward(ws, net, ports));
    }
    const o: StreamOptions = { stdin: flag('input', 'stdin'), stdout: flag('output', 'stdout'), stderr: flag('error', 'stderr'), tty: flag('tty', 'tty') };
    if (o.tty) o.stderr = false;
    const handle = deps.findContainer(ns, pod, container);
    if (kind === 'attach') {
      const target = handle.attach();
      return upgrade(req, socket, head, (ws) => runAttachSession(ws, target, o));
    }
    const command = q.getAll('command');
    if (command.length === 0) throw new StreamRefusal(400, 'you must specify at least 1 command');
    const plan = handle.enter(command);
    if (plan.configError !== undefined) throw new StreamRefusal(500, plan.configError);
    return upgrade(req, socket, head, (ws) => runExecSession(ws, plan.command, o));
  } catch (err) {
    const refusal = err instanceof StreamRefusal ? err
      : isStatusError(err) ? new StreamRefusal(err.code, err.status.message ?? 'error')
        : new StreamRefusal(500, 'an error on the server has prevented the request from succeeding');
    if (!(err instanceof StreamRefusal) && !isStatusError(err)) deps.log.error({ err, url: req.url }, 'stream upgrade failed');
    const body = refusal.message;
    socket.end(`HTTP/1.1 ${refusal.code} ${refusal.code === 401 ? 'Unauthorized' : 'Error'}\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
}

function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, run: (ws: WebSocket) => void): void {
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => ws.terminate());
    run(ws);
  });
}

/** Closes every open stream (agent shutdown). */
export function closeStreams(): void {
  for (const ws of wss.clients) ws.terminate();
}
