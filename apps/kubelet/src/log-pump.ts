// Moves a container's output from its stdout/stderr FIFOs into CRI-format log files, one per container instance:
//   2024-05-01T12:00:00.123456789Z stdout F hello
// (`P` marks a line cut because it grew past MAX_LINE without a newline). Files rotate by size, keeping one old part
// (`<n>.log.1`). The FIFOs are opened O_RDWR|O_NONBLOCK by the agent and read through a net.Socket, so reads never
// occupy libuv's thread pool, and opening never waits for a writer. Opening the FIFOs is synchronous and cheap
// because it creates nothing: the spawner makes them beforehand (process-runtime.ts). An instance's log file is
// created on its first output: a container that prints nothing costs no inode (readers treat a missing file as an
// empty log), and creating one is the slow part of starting a pod on a busy ext4.
// Rotation happens inside a synchronous burst of writes (one event-loop turn may move megabytes), so a follower
// could never look in between: watchRotation() tells it, synchronously, of every new file, and it opens each one
// before the next rotation can delete it (log-reader.ts).
import { closeSync, constants, openSync, readSync, renameSync, rmSync, writeSync, fstatSync } from 'node:fs';
import { Socket } from 'node:net';

const MAX_LINE = 16 * 1024;

export interface LogPumpOptions { stdoutFifo: string; stderrFifo: string; maxFileBytes: number }

type Stream = 'stdout' | 'stderr';

export class LogPump {
  private readonly sockets: { stream: Stream; fd: number; socket: Socket }[] = [];
  private readonly partial: Record<Stream, string> = { stdout: '', stderr: '' };
  private file: { path: string; fd: number; size: number } | undefined;
  /** The current instance's log, until its first output opens it. */
  private pendingPath: string | undefined;
  private readonly rotationWatchers = new Map<string, Set<() => void>>();

  constructor(private readonly opts: LogPumpOptions) {}

  /** Starts reading the FIFOs (they must exist). Output read before beginInstance() is kept for the next file. */
  open(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const fd = openSync(stream === 'stdout' ? this.opts.stdoutFifo : this.opts.stderrFifo, constants.O_RDWR | constants.O_NONBLOCK);
      const socket = new Socket({ fd, readable: true, writable: false });
      socket.on('data', (chunk: Buffer) => this.write(stream, chunk.toString('utf8')));
      socket.on('error', () => {});
      this.sockets.push({ stream, fd, socket });
    }
  }

  /** Directs output to `logPath` (appending: an adopted instance keeps its file). */
  beginInstance(logPath: string): void {
    this.closeFile();
    this.pendingPath = logPath;
  }

  /** The instance exited: take what is still in the pipes, end unterminated lines, close its file. */
  endInstance(): void {
    this.drain();
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') this.emit(stream, this.partial[stream], 'F');
      this.partial[stream] = '';
    }
    this.closeFile();
  }

  /** Calls `fresh` each time a file is (re)opened at `logPath` — first output, rotation — until the returned stop(). */
  watchRotation(logPath: string, fresh: () => void): () => void {
    let set = this.rotationWatchers.get(logPath);
    if (!set) this.rotationWatchers.set(logPath, (set = new Set()));
    set.add(fresh);
    return () => {
      set.delete(fresh);
      if (set.size === 0 && this.rotationWatchers.get(logPath) === set) this.rotationWatchers.delete(logPath);
    };
  }

  close(): void {
    this.rotationWatchers.clear();
    for (const { socket } of this.sockets) socket.destroy();
    this.sockets.length = 0;
    this.closeFile();
  }

  private drain(): void {
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (const { stream, fd } of this.sockets) {
      for (;;) {
        let n: number;
        try { n = readSync(fd, buf, 0, buf.length, null); } catch { break; } // EAGAIN: empty
        if (n <= 0) break;
        this.write(stream, buf.toString('utf8', 0, n));
      }
    }
  }

  private write(stream: Stream, text: string): void {
    let data = this.partial[stream] + text;
    let nl: number;
    while ((nl = data.indexOf('\n')) >= 0) {
      this.emit(stream, data.slice(0, nl), 'F');
      data = data.slice(nl + 1);
    }
    while (data.length > MAX_LINE) {
      this.emit(stream, data.slice(0, MAX_LINE), 'P');
      data = data.slice(MAX_LINE);
    }
    this.partial[stream] = data;
  }

  private emit(stream: Stream, line: string, tag: 'F' | 'P'): void {
    if (!this.file && this.pendingPath) {
      const fd = openSync(this.pendingPath, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o640);
      this.file = { path: this.pendingPath, fd, size: fstatSync(fd).size };
      this.pendingPath = undefined;
      this.announce(this.file.path);
    }
    if (!this.file) return; // no instance (cannot happen while a container runs)
    const bytes = Buffer.from(`${rfc3339Nano()} ${stream} ${tag} ${line}\n`);
    if (this.file.size + bytes.length > this.opts.maxFileBytes && this.file.size > 0) this.rotate();
    writeSync(this.file.fd, bytes);
    this.file.size += bytes.length;
  }

  private rotate(): void {
    const p = this.file!.path;
    closeSync(this.file!.fd);
    rmSync(`${p}.1`, { force: true });
    renameSync(p, `${p}.1`);
    const fd = openSync(p, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o640);
    this.file = { path: p, fd, size: 0 };
    this.announce(p);
  }

  private announce(p: string): void {
    for (const fresh of this.rotationWatchers.get(p) ?? []) fresh();
  }

  private closeFile(): void {
    if (this.file) closeSync(this.file.fd);
    this.file = undefined;
    this.pendingPath = undefined;
  }
}

const origin = performance.timeOrigin;

/** RFC 3339 with nanoseconds, UTC: `2024-05-01T12:00:00.123456789Z` (sub-µs digits come from the monotonic clock). */
export function rfc3339Nano(): string {
  const t = origin + performance.now();
  const ms = Math.floor(t);
  const frac = String(Math.floor((t - ms) * 1e6)).padStart(6, '0');
  return new Date(ms).toISOString().replace(/Z$/, `${frac}Z`);
}

