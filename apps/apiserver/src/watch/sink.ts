// Where a watcher's bytes go: a chunked HTTP response (newline-delimited) or a websocket (one event per message).
// Both bound what may wait in memory for a slow reader; past the bound the reader is disconnected and can resume
// from its last resourceVersion, so it never blocks writers or other watchers.
import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { ndjsonChunk, type Line } from './event-lines.ts';

export interface WatchSink {
  /** Writes whole events (`batch` identifies the commit they come from, for sharing encoded chunks); returns false
   *  if the sink is closed or was just closed for overflowing. */
  send(lines: Line[], batch?: object): boolean;
  heartbeat(): void;
  end(): void;
  onClose(fn: () => void): void;
  readonly closed: boolean;
}

export function httpSink(res: ServerResponse, limitBytes: number): WatchSink {
  let closed = false;
  const closers: (() => void)[] = [];
  const close = () => { if (!closed) { closed = true; for (const f of closers) f(); } };
  res.on('close', close);
  return {
    get closed() { return closed; },
    send(lines, batch) {
      if (closed) return false;
      if (res.writableLength > limitBytes) { res.destroy(); close(); return false; }
      res.write(ndjsonChunk(batch, lines));
      return true;
    },
    heartbeat() { if (!closed) res.write('\n'); },
    end() { if (!closed) { res.end(); close(); } },
    onClose(fn) { closers.push(fn); },
  };
}

export function wsSink(socket: WebSocket, limitBytes: number): WatchSink {
  let closed = false;
  const closers: (() => void)[] = [];
  const close = () => { if (!closed) { closed = true; for (const f of closers) f(); } };
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
    heartbeat() { if (!closed) socket.ping(); },
    end() { if (!closed) { socket.close(1000, 'watch ended'); close(); } },
    onClose(fn) { closers.push(fn); },
  };
}
