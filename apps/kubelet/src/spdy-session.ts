// The server side of a SPDY/3.1 session, as much of it as kubectl's port-forward uses (SPDY Protocol Draft 3.1;
// the client is moby/spdystream inside client-go): the peer opens streams with SYN_STREAM and sends DATA; this side
// answers each stream with SYN_REPLY, sends DATA with FIN to end its half, echoes PINGs, and takes RST_STREAM and
// GOAWAY. Header blocks are zlib with the SPDY/3 dictionary, one stream per direction for the whole session.
// Flow control (WINDOW_UPDATE) is not enforced: spdystream neither sends nor honours windows.
//
// Frames:  control  |1|version(15)=3|type(16)|flags(8)|length(24)|payload
//          data     |0|stream-id(31)        |flags(8)|length(24)|payload          FIN = flag 0x01
// Inbound bytes may be split or merged arbitrarily (they come tunnelled in websocket messages), so they are
// buffered and cut into frames here; frames are handled strictly in order, as is everything sent.
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.ts';

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FIN = 0x01;
/** A frame longer than this ends the session (kubectl's are a few KiB). */
const MAX_FRAME = 1 << 24;

export interface SpdyStream {
  id: number;
  headers: Record<string, string>;
  /** Bytes from the peer; `end` when the peer half-closed (FIN) or reset the stream. */
  onData?: (data: Buffer) => void;
  onEnd?: () => void;
  /** Sends bytes; with `fin`, ends this side of the stream. */
  write(data: Buffer, fin?: boolean): void;
}

export class SpdySession {
  private buf: Buffer = Buffer.alloc(0);
  private queue: Promise<void> = Promise.resolve();
  private out: Promise<void> = Promise.resolve();
  private readonly inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
  private readonly streams = new Map<number, SpdyStream>();
  private closed = false;

  constructor(private readonly send: (bytes: Buffer) => void, private readonly onStream: (s: SpdyStream) => void, private readonly onClose: (why: string) => void) {}

  /** Feeds bytes from the peer. */
  receive(bytes: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, bytes]) : bytes;
    while (this.buf.length >= 8 && !this.closed) {
      const length = this.buf.readUIntBE(5, 3);
      if (length > MAX_FRAME) { this.close('frame too large'); return; }
      if (this.buf.length < 8 + length) return;
      const frame = this.buf.subarray(0, 8 + length);
      this.buf = this.buf.subarray(8 + length);
      this.queue = this.queue.then(() => this.handle(frame)).catch((err: Error) => this.close(err.message));
    }
  }

  close(why: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.onEnd?.();
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.onClose(why);
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = frame[4];
    const payload = frame.subarray(8);
    if ((frame[0] & 0x80) === 0) {
      const s = this.streams.get(frame.readUInt32BE(0) & 0x7fffffff);
      if (!s) return;
      if (payload.length) s.onData?.(payload);
      if (flags & FIN) s.onEnd?.();
      return;
    }
    const type = frame.readUInt16BE(2);
    if (type === SYN_STREAM) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      const headers = parseHeaderBlock(await this.zlib(this.inflate, payload.subarray(10)));
      const stream: SpdyStream = { id, headers, write: (data, fin = false) => this.enqueue(async () => dataFrame(id, data, fin)) };
      this.streams.set(id, stream);
      this.enqueue(async () => control(SYN_REPLY, 0, Buffer.concat([u32(id), await this.zlib(this.deflate, u32(0))])));
      this.onStream(stream);
      if (flags & FIN) stream.onEnd?.();
    } else if (type === RST_STREAM) {
      const s = this.streams.get(payload.readUInt32BE(0) & 0x7fffffff);
      this.streams.delete(s?.id ?? -1);
      s?.onEnd?.();
    } else if (type === PING) {
      this.enqueue(async () => control(PING, 0, payload));
    } else if (type === GOAWAY) {
      this.close('peer went away');
    }
    // SETTINGS, HEADERS, WINDOW_UPDATE: nothing to do.
  }

  private enqueue(make: () => Promise<Buffer>): void {
    this.out = this.out.then(async () => { const b = await make(); if (!this.closed) this.send(b); }).catch((err: Error) => this.close(err.message));
  }

  /** Runs one header block through the session's inflate or deflate stream, flushed so it stands alone. */
  private zlib(z: zlib.Inflate | zlib.Deflate, input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onData = (d: Buffer) => chunks.push(d);
      z.on('data', onData);
      z.once('error', reject);
      z.write(input);
      z.flush(zlib.constants.Z_SYNC_FLUSH, () => { z.off('data', onData); z.off('error', reject); resolve(Buffer.concat(chunks)); });
    });
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

function dataFrame(id: number, data: Buffer, fin: boolean): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(id & 0x7fffffff, 0);
  h.writeUInt32BE(((fin ? FIN : 0) << 24 | data.length) >>> 0, 4);
  return Buffer.concat([h, data]);
}

/** Name/value pairs: a 4-byte count, then 4-byte-length-prefixed names and values (multiple values NUL-separated). */
function parseHeaderBlock(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 4;
  const n = b.readUInt32BE(0);
  for (let i = 0; i < n; i++) {
    const nl = b.readUInt32BE(at); const name = b.toString('latin1', at + 4, at + 4 + nl); at += 4 + nl;
    const vl = b.readUInt32BE(at); const value = b.toString('latin1', at + 4, at + 4 + vl); at += 4 + vl;
    out[name.toLowerCase()] = value;
  }
  return out;
}
