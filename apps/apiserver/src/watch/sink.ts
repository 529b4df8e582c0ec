// Where a watcher's bytes go: a chunked HTTP response (newline-delimited) or a websocket (one event per message).
// Both bound what may wait in memory for a slow reader; past the bound the reader is disconnected and can resume
// from its last resourceVersion, so it never blocks writers or other watchers. What a watch starts with (its initial
// state, or a long replay of the window) is the exception: it goes out page by page, each page only once the last has
// left (sendPaced), as the reader takes it.
import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { ndjsonChunk, type Line } from './event-lines.ts';

export interface WatchSink {
  /** Writes whole events (`batch` identifies the commit they come from, for sharing encoded chunks); returns false
   *  if the sink is closed or was just closed for overflowing. */
  send(lines: Line[], batch?: object): boolean;
  /** Writes whole events and resolves true once they have been handed to the socket, false if the sink closed first. */
  sendPaced(lines: Line[]): Promise<boolean>;
  heartbeat(): void;
  end(): void;
  onClose(fn: () => void): void;
  readonly closed: boolean;
}

export function httpSink(res: ServerResponse, limitBytes: number): WatchSink {
  let closed = false;
  const closers: (() => void)[] = [];
  const close = () => { if (!closed) { closed = true; for (const f of [...closers]) f(); } };
  res.on('close', close);
  return {
    get closed() { return closed; },
    send(lines, batch) {
      if (closed) return false;
      if (res.writableLength > limitBytes) { res.destroy(); close(); return false; }
      res.write(ndjsonChunk(batch, lines));
      return true;
    },
    sendPaced(lines) {
      return paced(closers, () => closed, (done) => res.write(ndjsonChunk(undefined, lines), done));
    },
    heartbeat() { if (!closed) res.write('\n'); },
    end() { if (!closed) { res.end(); close(); } },
    onClose(fn) { closers.push(fn); },
  };
}

export function wsSink(socket: WebSocket, limitBytes: number): WatchSink {
  let closed = false;
  const closers: (() => void)[] = [];
  const close = () => { if (!closed) { closed = true; for (const f of [...closers]) f(); } };
  socket.on('close', close);
  socket.on('error', close);
  return {
    get closed() { return closed; },
    send(lines) {
      if (closed) return false;
      if (socket.bufferedAmount > limitBytes) { socket.terminate(); close(); return false; }
      for (const l of lines) socket.send(l.buffer, { binary: false });
      return true;
    },
    sendPaced(lines) {
      return paced(closers, () => closed, (done) => {
        for (let i = 0; i < lines.length; i++) socket.send(lines[i].buffer, { binary: false }, i === lines.length - 1 ? done : undefined);
        if (!lines.length) done();
      });
    },
    heartbeat() { if (!closed) socket.ping(); },
    end() { if (!closed) { socket.close(1000, 'watch ended'); close(); } },
    onClose(fn) { closers.push(fn); },
  };
}

/** Runs `write`, whose callback fires once the bytes have left (with an error if the socket died first), and settles
 *  on that or on the sink closing, whichever comes first. */
function paced(closers: (() => void)[], isClosed: () => boolean, write: (done: () => void) => void): Promise<boolean> {
  if (isClosed()) return Promise.resolve(false);
  return new Promise((resolve) => {
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      closers.splice(closers.indexOf(settle), 1);
      resolve(!isClosed());
    };
    closers.push(settle);
    write(settle);
  });
}
