// When the server ends a connection itself, and how.
//
// A response sent before its request body has fully arrived (a 401, 403, 413, 429 or 408 on an upload) closes the
// connection: otherwise Node reads and discards the rest of the body to keep the connection alive, and a slow
// sender keeps its socket for as long as it trickles. A 401 always closes, so an unauthenticated client cannot keep
// connections for the price of one bad request each.
//
// Closing is a lingering close, as Apache and nginx do it: after the answer the server half-closes (FIN) and goes on
// reading and dropping what the client still sends, for at most LINGER_MS, before it lets go of the socket. Closing
// at once with unread bytes in the kernel's receive buffer makes the kernel send a reset, and a reset can destroy
// the answer at the client before it was read (seen in about 3% of refused 512 KB uploads).
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

const LINGER_MS = 2000;

export function registerConnectionRule(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode !== 401 && request.raw.complete) return;
    reply.header('connection', 'close');
    const socket = request.raw.socket as Socket | null;
    if (socket) lingerOnClose(socket);
  });
}

/**
 * Node ends a response marked `Connection: close` with socket.destroySoon(): end, then destroy once our side is
 * flushed. For this socket, destroy only when the client has closed too, or after LINGER_MS; meanwhile the HTTP
 * parser keeps reading and dropping the rest of the body.
 */
function lingerOnClose(socket: Socket): void {
  const s = socket as Socket & { destroySoon?: () => void };
  s.destroySoon = () => {
    if (socket.writable) socket.end();
    if (socket.readableEnded) { socket.destroy(); return; }
    const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
    socket.once('end', () => { clearTimeout(timer); socket.destroy(); });
    socket.once('close', () => clearTimeout(timer));
  };
}
