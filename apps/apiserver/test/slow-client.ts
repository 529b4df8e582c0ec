// Hostile HTTP clients for the request-limit tests, on raw sockets: uploads that declare a body and send it slowly
// or never, and the apiserver's resident memory and open descriptors read from /proc. Loopback only.
import net from 'node:net';
import { readdirSync } from 'node:fs';

export interface RawAnswer { status: number; headers: Record<string, string>; body: string }

export interface SlowUpload {
  readonly socket: net.Socket;
  /** The answer, once its head and Content-Length body arrived; undefined while none came. */
  answer(): RawAnswer | undefined;
  /** Who ended the connection: 'server' (FIN or reset from it), 'client' (destroy()), or undefined while open. */
  closedBy(): 'server' | 'client' | undefined;
  /** Resolves when the connection is closed, by either side. */
  readonly closed: Promise<void>;
  /** Sends more of the body (ignored once closed). */
  send(chunk: string | Buffer): void;
  destroy(): void;
}

export interface UploadOptions {
  method?: string;
  path: string;
  token?: string;
  /** The declared Content-Length. */
  contentLength: number;
  /** Body bytes sent right after the headers. */
  first?: string | Buffer;
  contentType?: string;
  /** Send exactly this instead of a request head (e.g. '' for a connection that never says anything). */
  headOnly?: string;
}

/** Opens a connection and sends a request head declaring `contentLength` bytes, then `first`; resolves once
 *  connected. The rest of the body is up to the caller (send()), or never comes. */
export function openUpload(url: string, o: UploadOptions): Promise<SlowUpload> {
  const u = new URL(url);
  const socket = net.connect({ host: u.hostname, port: Number(u.port) });
  let raw = Buffer.alloc(0);
  let parsed: RawAnswer | undefined;
  let by: 'server' | 'client' | undefined;
  socket.on('data', (b: Buffer) => {
    raw = Buffer.concat([raw, b]);
    parsed ??= parseAnswer(raw);
  });
  socket.on('error', () => { /* EPIPE/ECONNRESET after the server refused: the answer is what counts */ });
  socket.on('end', () => { by ??= 'server'; });
  const closed = new Promise<void>((resolve) => socket.once('close', () => { by ??= 'server'; resolve(); }));
  const upload: SlowUpload = {
    socket, closed,
    answer: () => parsed,
    closedBy: () => by,
    send(chunk) { if (!socket.destroyed && socket.writable) socket.write(chunk); },
    destroy() { by ??= 'client'; socket.destroy(); },
  };
  const head = [
    `${o.method ?? 'POST'} ${o.path} HTTP/1.1`, `Host: ${u.host}`, `Content-Type: ${o.contentType ?? 'application/json'}`,
    `Content-Length: ${o.contentLength}`, ...(o.token ? [`Authorization: Bearer ${o.token}`] : []), '', '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.write(o.headOnly ?? head);
      if (o.first !== undefined) socket.write(o.first);
      resolve(upload);
    });
    socket.once('error', reject);
  });
}

/** Opens `count` uploads, `batch` at a time so the listen backlog never overflows. */
export async function openUploads(url: string, count: number, o: UploadOptions, batch = 100): Promise<SlowUpload[]> {
  const all: SlowUpload[] = [];
  for (let i = 0; i < count; i += batch) {
    all.push(...await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => openUpload(url, o))));
  }
  return all;
}

/** Sends one more body byte to every open upload every `everyMs`, until stopped. */
export function trickle(uploads: SlowUpload[], everyMs: number): { stop(): void } {
  const timer = setInterval(() => { for (const u of uploads) if (u.closedBy() === undefined) u.send(' '); }, everyMs);
  return { stop: () => clearInterval(timer) };
}

function parseAnswer(raw: Buffer): RawAnswer | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (raw.length < end + 4 + length) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body: raw.subarray(end + 4, end + 4 + length).toString('utf8') };
}

/** Open file descriptors of a process. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
