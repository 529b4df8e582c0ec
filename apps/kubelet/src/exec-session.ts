// One `kubectl exec` session on the agent: runs an entry command (container-entry.ts) and carries its stdio over
// the channel protocol (stream-channels.ts). Without a TTY the command gets pipes; with one it gets a real
// pseudo-terminal from node-pty, whose line discipline turns the raw bytes kubectl sends (Ctrl-C, Ctrl-D) into
// signals and EOF, and whose size follows the resize channel. Everything the command writes to a TTY goes out on
// stdout (kubectl asks for no stderr with a TTY). The session ends when the command has exited and its output is
// flushed: exit Status on channel 3, then close 1000. If the client goes away first, stdin is closed and a TTY's
// session gets SIGHUP (the pty is closed), as the kubelet's runtime does.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { WebSocket } from 'ws';
import * as pty from 'node-pty';
import type { EntryCommand } from './container-entry.ts';
import { CLOSE, exitStatus, finish, frame, internalError, parseResize, RESIZE, STDERR, STDIN, STDOUT } from './stream-channels.ts';

export interface StreamOptions { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }

/** Exit code of a process that ended by `signal`: 128+n, as runtimes report it. */
export function signalExitCode(signal: string | number | null | undefined): number {
  if (typeof signal === 'number') return signal > 0 ? 128 + signal : 0;
  return signal ? 128 + (constants.signals[signal as NodeJS.Signals] ?? 0) : 0;
}

export function runExecSession(ws: WebSocket, cmd: EntryCommand, o: StreamOptions): void {
  ws.send(frame(o.stdout ? STDOUT : o.stderr ? STDERR : 3));
  if (o.tty) runTty(ws, cmd, o); else runPipes(ws, cmd, o);
}

function runPipes(ws: WebSocket, cmd: EntryCommand, o: StreamOptions): void {
  const child = spawn(cmd.file, cmd.args, { env: cmd.env, cwd: '/', stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => { if (o.stdout) send(ws, STDOUT, d); });
  child.stderr!.on('data', (d: Buffer) => { if (o.stderr) send(ws, STDERR, d); });
  child.stdin?.on('error', () => { /* the command closed its stdin: what the client still sends is dropped */ });
  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    if (data[0] === STDIN && o.stdin) child.stdin?.write(data.subarray(1));
    else if (data[0] === CLOSE && data.length === 2 && data[1] === STDIN) child.stdin?.end();
  });
  ws.on('close', () => { child.stdin?.end(); });
  child.on('error', (err) => finish(ws, internalError(err.message)));
  // 'close' comes after 'exit' once stdout and stderr are drained.
  child.on('close', (code, signal) => finish(ws, exitStatus(code ?? signalExitCode(signal))));
}

function runTty(ws: WebSocket, cmd: EntryCommand, o: StreamOptions): void {
  let term: pty.IPty;
  try {
    // encoding null: raw bytes both ways (onData then delivers Buffers, whatever its declared type says).
    term = pty.spawn(cmd.file, cmd.args, { env: cmd.env, cwd: '/', cols: 80, rows: 24, name: 'xterm', encoding: null });
  } catch (err) {
    finish(ws, internalError((err as Error).message));
    return;
  }
  term.onData((d: string | Buffer) => { if (o.stdout) send(ws, STDOUT, Buffer.isBuffer(d) ? d : Buffer.from(d)); });
  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    if (data[0] === STDIN && o.stdin) term.write(data.subarray(1));
    else if (data[0] === RESIZE) for (const s of parseResize(data.subarray(1).toString())) term.resize(s.cols, s.rows);
  });
  ws.on('close', () => { try { term.kill('SIGHUP'); } catch { /* already gone */ } });
  term.onExit(({ exitCode, signal }) => finish(ws, exitStatus(signal ? signalExitCode(signal) : exitCode)));
}

function send(ws: WebSocket, channel: number, data: Buffer): void {
  if (ws.readyState === ws.OPEN) ws.send(frame(channel, data));
}
