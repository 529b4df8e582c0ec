// Reads CRI-format container logs (log-pump.ts) back as the container printed them, with the options of
// GET /containerLogs: tailLines, sinceSeconds, timestamps, limitBytes, and follow (poll the file until the
// instance has ended and everything it wrote was sent).
import { existsSync, openSync, readSync, closeSync, fstatSync, readFileSync } from 'node:fs';

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

/**
 * Yields the existing log (with tail/since applied) and then new lines as they are written, until `isDone()` holds
 * and the file has no unread bytes, or `signal` aborts.
 */
export async function* followInstanceLog(logPath: string, opts: LogOptions, isDone: () => boolean, signal: AbortSignal): AsyncGenerator<string> {
  let sent = 0;
  const limit = opts.limitBytes ?? Infinity;
  const send = (s: string): string | undefined => {
    if (s === '' || sent >= limit) return undefined;
    const chunk = Buffer.from(s).subarray(0, limit - sent);
    sent += chunk.length;
    return chunk.toString('utf8');
  };
  const rotated = existsSync(`${logPath}.1`) ? readFileSync(`${logPath}.1`, 'utf8') : '';
  let offset = 0;
  const first = readFrom(logPath, 0);
  offset = first.bytes;
  const parsed = parseCri(rotated + first.text);
  let rest = parsed.rest;
  const head = send(formatEntries(parsed.entries, { ...opts, limitBytes: undefined }, Date.now()));
  if (head) yield head;
  const liveOpts = { timestamps: opts.timestamps };
  // The stream ends after two empty reads once the instance is done: the pump may append the container's last
  // output just after the exit became visible, and one more poll picks it up.
  let quietAfterDone = 0;
  while (!signal.aborted && sent < limit) {
    const done = isDone();
    const next = readFrom(logPath, offset);
    if (next.bytes < 0) { offset = 0; continue; } // rotated under us: the new file starts at 0
    offset += next.bytes;
    const p = parseCri(rest + next.text);
    rest = p.rest;
    const out = send(formatEntries(p.entries, liveOpts, Date.now()));
    if (out) yield out;
    quietAfterDone = done && next.bytes === 0 ? quietAfterDone + 1 : 0;
    if (quietAfterDone >= 2) return;
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
  }
}

/** Reads from `offset` to the end; bytes −1 when the file is now shorter than offset. */
function readFrom(p: string, offset: number): { text: string; bytes: number } {
  let fd: number;
  try { fd = openSync(p, 'r'); } catch { return { text: '', bytes: 0 }; }
  try {
    const size = fstatSync(fd).size;
    if (size < offset) return { text: '', bytes: -1 };
    const buf = Buffer.alloc(size - offset);
    const n = buf.length > 0 ? readSync(fd, buf, 0, buf.length, offset) : 0;
    return { text: buf.toString('utf8', 0, n), bytes: n };
  } finally {
    closeSync(fd);
  }
}
