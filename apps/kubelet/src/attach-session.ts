// `kubectl attach`: the main process's live output and, for a container with `stdin: true`, its stdin.
//
// The agent can be restarted while containers run, so nothing the container depends on may live in the agent:
//   - output: the container's stdout/stderr already go through FIFOs into its CRI log (log-pump.ts); attach follows
//     that log from its current end and splits it back into stdout and stderr. No replay (logs are separate), as in
//     Kubernetes. Survives an agent restart: a new agent follows the same file.
//   - stdin: a container with `stdin: true` reads a FIFO (`<c>.stdin.fifo`) that its wrapper holds open read-write,
//     so it never sees EOF while no one is attached, and the FIFO outlives the agent; each attach session opens it
//     for writing. `stdinOnce` is not honoured (the container never gets EOF).
//   - `tty: true` containers get no terminal of their own (a pty master would die with the agent): they are attached
//     like `stdin: true` ones, and resize messages are ignored.
// The session ends with Success when the instance exits, or when the client leaves.
import { closeSync, createWriteStream, fstatSync, openSync, readSync } from 'node:fs';
import type { WebSocket } from 'ws';
import { CLOSE, finish, frame, STDERR, STDIN, STDOUT, SUCCESS } from './stream-channels.ts';
import type { StreamOptions } from './exec-session.ts';

export interface AttachTarget {
  logPath: string;
  /** The container's stdin FIFO, when it has `stdin: true`. */
  stdinFifo?: string;
  isDone: () => boolean;
}

const POLL_MS = 50;

export function runAttachSession(ws: WebSocket, t: AttachTarget, o: StreamOptions): void {
  ws.send(frame(o.stdout ? STDOUT : o.stderr ? STDERR : 3));
  const stdin = o.stdin && t.stdinFifo ? createWriteStream(t.stdinFifo, { flags: 'r+' }) : undefined;
  stdin?.on('error', () => { /* container gone: input is dropped */ });
  ws.on('message', (data: Buffer) => {
    if (data[0] === STDIN && data.length > 1) stdin?.write(data.subarray(1));
    else if (data[0] === CLOSE && data[1] === STDIN) stdin?.end();
  });
  let offset = size(t.logPath);
  let rest = '';
  let doneTicks = 0;
  const timer = setInterval(() => {
    const now = size(t.logPath);
    if (now < offset) offset = 0; // rotated: the file was started anew
    if (now > offset) {
      const text = rest + read(t.logPath, offset, now - offset);
      offset = now;
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^\S+ (stdout|stderr) ([PF]) (.*)$/.exec(line);
        if (!m) continue;
        const ch = m[1] === 'stdout' ? STDOUT : STDERR;
        if ((ch === STDOUT && o.stdout) || (ch === STDERR && (o.stderr || o.tty))) {
          ws.send(frame(o.tty ? STDOUT : ch, m[2] === 'P' ? m[3] : `${m[3]}\n`));
        }
      }
    }
    // A few polls after the end, so output the pump was still writing is sent too.
    if (t.isDone() && ++doneTicks > 2) { stop(); finish(ws, SUCCESS); }
  }, POLL_MS);
  const stop = () => { clearInterval(timer); stdin?.end(); };
  ws.on('close', stop);
}

function size(p: string): number {
  try {
    const fd = openSync(p, 'r');
    try { return fstatSync(fd).size; } finally { closeSync(fd); }
  } catch { return 0; }
}

function read(p: string, from: number, length: number): string {
  const buf = Buffer.alloc(length);
  const fd = openSync(p, 'r');
  try { return buf.subarray(0, readSync(fd, buf, 0, length, from)).toString('utf8'); } finally { closeSync(fd); }
}
