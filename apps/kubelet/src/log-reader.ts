// Reads CRI-format container logs (log-pump.ts) back as the container printed them, with the options of
// GET /containerLogs: tailLines, sinceSeconds, timestamps, limitBytes, and follow (poll the file until the
// instance has ended and everything it wrote was sent).
import { StringDecoder } from 'node:string_decoder';
import { existsSync, openSync, readSync, closeSync, fstatSync, readFileSync, statSync } from 'node:fs';

export interface LogOptions { tailLines?: number; sinceSeconds?: number; timestamps?: boolean; limitBytes?: number }

interface Entry { ts: string; text: string }

const FOLLOW_POLL_MS = 50;

/** Parses CRI lines into logical lines (joining `P` parts with the `F` that ends them). */
export function parseCri(text: string): { entries: Entry[]; rest: string } {
  const entries: Entry[] = [];
  let pending: Entry | undefined;
  let start = 0;
  let nl: number;
  while ((nl = text.indexOf('\n', start)) >= 0) {
    const line = text.slice(start, nl);
    start = nl + 1;
    const a = line.indexOf(' ');
    const b = line.indexOf(' ', a + 1);
    const c = line.indexOf(' ', b + 1);
    if (a < 0 || b < 0 || c < 0) continue;
    const ts = line.slice(0, a);
    const tag = line.slice(b + 1, c);
    const body = line.slice(c + 1);
    pending = pending ? { ts: pending.ts, text: pending.text + body } : { ts, text: body };
    if (tag !== 'P') { entries.push(pending); pending = undefined; }
  }
  return { entries, rest: text.slice(start) };
}

export function formatEntries(entries: Entry[], opts: LogOptions, nowMs: number): string {
  let list = entries;
  if (opts.sinceSeconds !== undefined) {
    const since = nowMs - opts.sinceSeconds * 1000;
    list = list.filter((e) => Date.parse(e.ts) >= since);
  }
  if (opts.tailLines !== undefined) list = opts.tailLines === 0 ? [] : list.slice(-opts.tailLines);
  const out = list.map((e) => (opts.timestamps ? `${e.ts} ${e.text}\n` : `${e.text}\n`)).join('');
  return opts.limitBytes !== undefined ? Buffer.from(out).subarray(0, opts.limitBytes).toString('utf8') : out;
}

/** The whole log of one instance (rotated part first). */
export function readInstanceLog(logPath: string, opts: LogOptions, nowMs = Date.now()): string {
  const text = [`${logPath}.1`, logPath].filter(existsSync).map((p) => readFileSync(p, 'utf8')).join('');
  return formatEntries(parseCri(text).entries, opts, nowMs);
}

/** What a follower follows: one instance's log file, until the instance is done. */
export interface FollowSource {
  logPath: string;
  isDone: () => boolean;
  /** The writer's rotation notice (LogPump.watchRotation); absent when nothing writes the file any more. */
  watchRotation?: (fresh: () => void) => () => void;
}

/** Files a follower may hold open ahead of its reading; a follower further behind loses the oldest of them. */
const MAX_QUEUED_FILES = 64;

/**
 * Yields the existing log (with tail/since applied) and then new lines as they are written, until `isDone()` holds
 * and the file has no unread bytes, or `signal` aborts.
 *
 * Rotation (log-pump.ts: close, rename `<n>.log` → `<n>.log.1`, create a new `<n>.log`, delete the older `.1`)
 * never loses or repeats a line (issue 14.8): the follower reads open descriptors, which keep a renamed or deleted
 * file readable, and the writer's rotation notice makes it open every new file the moment it is created, in order.
 * It finishes each file before the next: the pump closes a file before it creates the next one. Without a notice
 * (the writer is gone) a changed inode at the path marks a rotation, and `.1` is read first when it is a file not
 * read yet.
 */
export async function* followInstanceLog(source: FollowSource, opts: LogOptions, signal: AbortSignal): AsyncGenerator<string> {
  let sent = 0;
  const limit = opts.limitBytes ?? Infinity;
  const send = (s: string): string | undefined => {
    if (s === '' || sent >= limit) return undefined;
    const chunk = Buffer.from(s).subarray(0, limit - sent);
    sent += chunk.length;
    return chunk.toString('utf8');
  };
  const file = new FollowedFile(source);
  try {
    const parsed = parseCri(file.readHead());
    let rest = parsed.rest;
    const head = send(formatEntries(parsed.entries, { ...opts, limitBytes: undefined }, Date.now()));
    if (head) yield head;
    const liveOpts = { timestamps: opts.timestamps };
    // The stream ends after two empty reads once the instance is done: the pump may append the container's last
    // output just after the exit became visible, and one more poll picks it up.
    let quietAfterDone = 0;
    while (!signal.aborted && sent < limit) {
      const done = source.isDone();
      const next = file.readNew();
      const p = parseCri(rest + next);
      rest = p.rest;
      const out = send(formatEntries(p.entries, liveOpts, Date.now()));
      if (out) yield out;
      quietAfterDone = done && next === '' ? quietAfterDone + 1 : 0;
      if (quietAfterDone >= 2) return;
      if (next === '') await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
    }
  } finally {
    file.close();
  }
}

interface OpenFile { fd: number; ino: number }

/** One instance's log as a sequence of files, read through descriptors so rotation cannot pull one away. */
class FollowedFile {
  private cur: OpenFile | undefined;
  private offset = 0;
  /** A read may end inside a character the pump is still writing: its first bytes wait for the rest. */
  private decoder = new StringDecoder('utf8');
  /** Files created at the path since we started, oldest first, opened the moment they appeared. */
  private readonly queue: OpenFile[] = [];
  private readonly unwatch: () => void;
  private readonly path: string;

  constructor(source: FollowSource) {
    this.path = source.logPath;
    this.unwatch = source.watchRotation?.(() => this.enqueue()) ?? (() => {});
  }

  /** The rotated part (if it is not the file at the path) and everything after it; following continues from there. */
  readHead(): string {
    this.switchTo(openFile(this.path));
    const rotated = openFile(`${this.path}.1`);
    let text = '';
    if (rotated) {
      if (rotated.ino !== this.cur?.ino) text = readToEnd(rotated.fd, 0).toString('utf8');
      closeSync(rotated.fd);
    }
    return text + this.readNew();
  }

  /** Everything written since the last read, across rotations. */
  readNew(): string {
    let text = '';
    for (;;) {
      if (!this.cur) {
        if (this.queue.length > 0) this.switchTo(this.queue.shift());
        else if (!this.switchTo(openFile(this.path))) return text; // not created yet: nothing printed
      }
      text += this.readAvailable();
      if (this.queue.length === 0) {
        const current = inodeOf(this.path);
        if (current === undefined || current === this.cur!.ino) return text; // (undefined: mid-rotation)
      }
      // A newer file exists: this one was closed by the pump before that one was made, so it ends here.
      text += this.readAvailable() + this.decoder.end();
      const finished = this.cur!.ino;
      this.closeCurrent();
      if (this.queue.length === 0) {
        // Unannounced rotation: `.1` comes next unless it is the file just finished.
        const rotated = inodeOf(`${this.path}.1`);
        if (rotated !== undefined && rotated !== finished) this.switchTo(openFile(`${this.path}.1`));
      }
    }
  }

  close(): void {
    this.unwatch();
    this.closeCurrent();
    for (const f of this.queue.splice(0)) closeSync(f.fd);
  }

  private enqueue(): void {
    const f = openFile(this.path);
    if (!f) return;
    const last = this.queue.at(-1) ?? this.cur;
    // The same file opened again (an adopted instance appends to its log): not a new one.
    if (last?.ino === f.ino) { closeSync(f.fd); return; }
    this.queue.push(f);
    if (this.queue.length > MAX_QUEUED_FILES) closeSync(this.queue.shift()!.fd);
  }

  private switchTo(f: OpenFile | undefined): boolean {
    this.cur = f;
    this.offset = 0;
    this.decoder = new StringDecoder('utf8');
    return f !== undefined;
  }

  private closeCurrent(): void {
    if (this.cur) closeSync(this.cur.fd);
    this.cur = undefined;
  }

  private readAvailable(): string {
    const bytes = readToEnd(this.cur!.fd, this.offset);
    this.offset += bytes.length;
    return this.decoder.write(bytes);
  }
}

function openFile(p: string): OpenFile | undefined {
  let fd: number;
  try { fd = openSync(p, 'r'); } catch { return undefined; }
  return { fd, ino: fstatSync(fd).ino };
}

function inodeOf(p: string): number | undefined {
  try { return statSync(p).ino; } catch { return undefined; }
}

/** Reads `fd` from `offset` to its current end. */
function readToEnd(fd: number, offset: number): Buffer {
  const size = fstatSync(fd).size;
  if (size <= offset) return Buffer.alloc(0);
  const buf = Buffer.alloc(size - offset);
  let n = 0;
  while (n < buf.length) {
    const got = readSync(fd, buf, n, buf.length - n, offset + n);
    if (got <= 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}
