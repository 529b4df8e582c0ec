// Errors Node's HTTP parser raises before a request exists (headers too large, malformed request lines) still get
// a Kubernetes Status body, written straight to the socket.
import type { Socket } from 'node:net';
import { errors, StatusError } from '@podling/api';

export function writeClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let se: StatusError;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    se = new StatusError(431, 'RequestHeaderFieldsTooLarge', 'the request headers (including the URL) are too large');
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    se = new StatusError(408, 'Timeout', 'the client did not send a complete request in time');
  } else {
    se = errors.badRequest('the request could not be parsed as HTTP');
  }
  const body = JSON.stringify(se.status);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${se.code} ${se.reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
