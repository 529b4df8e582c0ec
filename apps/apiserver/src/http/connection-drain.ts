// Shutdown must end: fastify's forceCloseConnections only reaches connections Node's HTTP layer tracks, which
// excludes a TLS socket still in its handshake (or one whose peer vanished mid-handshake). server.close() waits
// for every socket, so one such socket held the apiserver's SIGTERM until the supervisor's SIGKILL. Every raw
// connection is tracked here and whatever is still open `drainMs` after close starts is destroyed; requests that
// are already being answered get that long to finish.
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export function destroyConnectionsAfterClose(app: FastifyInstance, drainMs: number): void {
  const sockets = new Set<Socket>();
  app.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  app.addHook('preClose', (done) => {
    setTimeout(() => { for (const s of sockets) s.destroy(); }, drainMs).unref();
    done();
  });
}
