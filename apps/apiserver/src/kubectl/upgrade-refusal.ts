// Refusing `kubectl exec/attach/port-forward` cleanly. kubectl 1.32 first tries a WebSocket upgrade
// (v5.channel.k8s.io), then SPDY/3.1. If the server completes the WebSocket handshake and just closes, kubectl
// prints `error reading from error stream: next reader: websocket: close 1005 (no status)`. Answering the upgrade
// request itself with an HTTP error and a Status body (both attempts) makes kubectl print
// `Error from server (<reason>): <message>` and exit 1 (kubectl-wire.md §14, verified against kubectl 1.32.4).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Status } from '@podling/api';

const REASON_PHRASES: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed' };

/** The raw HTTP/1.1 response that refuses an upgrade with `status` as the JSON body. */
export function upgradeRefusal(status: Status): string {
  const body = JSON.stringify(status);
  return `HTTP/1.1 ${status.code} ${REASON_PHRASES[status.code] ?? 'Error'}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' + body;
}

/** Writes the refusal on an `upgrade` event's socket and closes it; call before any WebSocket handshake. */
export function refuseUpgrade(socket: Duplex, status: Status): void {
  socket.end(upgradeRefusal(status));
}

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Puts `decide` in front of every `upgrade` listener already on `server` (e.g. @fastify/websocket's, which
 * would otherwise complete the handshake first): a request `decide` answers with a Status is refused with it;
 * any other goes to the original listeners unchanged. Call after the WebSocket plugin attached its listener
 * (after `app.ready()`). `decide` may be async, e.g. to answer 404 for a missing pod.
 */
export function interceptUpgrades(server: Server, decide: (req: IncomingMessage) => Status | undefined | Promise<Status | undefined>): void {
  const original = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('upgrade');
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    Promise.resolve().then(() => decide(req)).then((status) => {
      if (status) return refuseUpgrade(socket, status);
      for (const listener of original) listener.call(server, req, socket, head);
    }, () => socket.destroy());
  });
}
