// Sends a query the cluster zone does not hold to the upstream resolvers (the host's, by default its
// /etc/resolv.conf nameservers, as CoreDNS's `forward . /etc/resolv.conf`), unchanged, over the transport it came
// on: each upstream in turn, until one answers within the timeout. The reply is passed back as is (same id, since
// the query is sent as is).
import dgram from 'node:dgram';
import net from 'node:net';

export interface Upstream { host: string; port: number }

/** `ip` or `ip:port` (`[v6]:port`), port 53 by default. */
export function parseUpstream(text: string): Upstream | undefined {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text) ?? /^([0-9a-fA-F:]+)()$/.exec(text);
  if (!m || net.isIP(m[1]) === 0) return undefined;
  const port = m[2] ? Number(m[2]) : 53;
  return port > 0 && port < 65536 ? { host: m[1], port } : undefined;
}

export class DnsForwarder {
  constructor(private readonly upstreams: () => Upstream[], private readonly timeoutMs = 2000) {}

  async forward(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    for (const u of this.upstreams()) {
      const reply = await (transport === 'udp' ? udpExchange(u, query, this.timeoutMs) : tcpExchange(u, query, this.timeoutMs)).catch(() => undefined);
      if (reply && reply.length >= 2 && reply.readUInt16BE(0) === query.readUInt16BE(0)) return reply;
    }
    return undefined;
  }
}

function udpExchange(u: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(u.host) ? 'udp6' : 'udp4');
    const done = (err: Error | undefined, msg?: Buffer) => { clearTimeout(timer); sock.close(); if (err) reject(err); else resolve(msg!); };
    const timer = setTimeout(() => done(new Error(`no answer from ${u.host}:${u.port}`)), timeoutMs);
    sock.on('error', (err) => done(err));
    // Only the upstream we asked may answer this socket (connect filters other senders out).
    sock.connect(u.port, u.host, () => {
      sock.on('message', (msg) => done(undefined, msg));
      sock.send(query, (err) => { if (err) done(err); });
    });
  });
}

function tcpExchange(u: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.host, port: u.port });
    let buf = Buffer.alloc(0);
    const done = (err: Error | undefined, msg?: Buffer) => { clearTimeout(timer); sock.destroy(); if (err) reject(err); else resolve(msg!); };
    const timer = setTimeout(() => done(new Error(`no answer from ${u.host}:${u.port}`)), timeoutMs);
    sock.on('error', (err) => done(err));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(undefined, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('end', () => done(new Error('connection closed before a whole reply')));
  });
}
