// DNS over UDP and TCP on one address and port (node:dgram, node:net), the wire format decoded and encoded by
// dns-packet. A query for the cluster zone is answered from clusterAnswer(); any other goes to the forwarder; a
// forwarder with no answer gives SERVFAIL, an undecodable query FORMERR. UDP replies larger than the client's limit
// (512 bytes, or its EDNS payload size) are sent truncated (TC) so the client retries over TCP. TCP connections may
// carry several length-prefixed queries and are closed after 10 s idle.
import type dgram from 'node:dgram';
import type net from 'node:net';
import { decode, encode, AUTHORITATIVE_ANSWER, RECURSION_AVAILABLE, RECURSION_DESIRED, TRUNCATED_RESPONSE, type Answer, type DecodedPacket, type OptAnswer, type Packet, type RecordType } from 'dns-packet';
import type { ZoneAnswer } from './cluster-answer.ts';
import { bindUdpAndTcp } from './udp-tcp-port.ts';

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;
const TCP_IDLE_MS = 10_000;

export interface DnsResolver {
  /** The cluster's answer, or undefined when the name is not in its zones. */
  local(name: string, type: RecordType): ZoneAnswer | undefined;
  forward(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined>;
}

export interface DnsServerLogger { warn(obj: object, msg?: string): void; debug(obj: object, msg?: string): void }

export class DnsServer {
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly conns = new Set<net.Socket>();

  constructor(private readonly resolver: DnsResolver, private readonly log: DnsServerLogger) {}

  /** Binds UDP, then TCP on the same port (port 0: any free one, see udp-tcp-port.ts). Resolves with that port. */
  async listen(host: string, port: number): Promise<number> {
    const { udp, tcp, port: bound } = await bindUdpAndTcp(host, port);
    this.udp = udp;
    udp.on('message', (msg, rinfo) => void this.answer(msg, 'udp').then((reply) => {
      if (reply) udp.send(reply, rinfo.port, rinfo.address);
    }));
    udp.on('error', (err) => this.log.warn({ err }, 'DNS UDP socket error'));
    this.tcp = tcp.on('connection', (sock) => this.serveTcp(sock));
    return bound;
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }

  private serveTcp(sock: net.Socket): void {
    this.conns.add(sock);
    sock.setTimeout(TCP_IDLE_MS, () => sock.destroy());
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.answer(msg, 'tcp').then((reply) => {
          if (!reply || sock.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          sock.write(Buffer.concat([len, reply]));
        });
      }
    });
  }

  /** The reply to one message, or undefined when nothing should be sent (not a query, not even a header). */
  async answer(msg: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    let q: DecodedPacket;
    try { q = decode(msg); } catch {
      // A header we can read (12 bytes, QR clear) gets FORMERR with its id; anything else is dropped.
      return msg.length >= 12 && (msg[2] & 0x80) === 0 ? encode({ type: 'response', id: msg.readUInt16BE(0), flags: (msg[2] & 0x01 ? RECURSION_DESIRED : 0) | RCODE.FORMERR }) : undefined;
    }
    if (q.type === 'response') return undefined;
    const rd = q.flag_rd ? RECURSION_DESIRED : 0;
    if ((q as { opcode?: string }).opcode !== 'QUERY') return encode({ type: 'response', id: q.id, flags: rd | RECURSION_AVAILABLE | RCODE.NOTIMP });
    const question = q.questions?.[0];
    if (!question || (q.questions?.length ?? 0) > 1) return encode({ type: 'response', id: q.id, flags: rd | RECURSION_AVAILABLE | RCODE.FORMERR, questions: q.questions });
    try {
      const local = this.resolver.local(question.name, question.type);
      if (!local) {
        const reply = await this.resolver.forward(msg, transport);
        return reply ?? encode({ type: 'response', id: q.id, flags: rd | RECURSION_AVAILABLE | RCODE.SERVFAIL, questions: [question] });
      }
      const reply: Packet = {
        type: 'response', id: q.id, flags: AUTHORITATIVE_ANSWER | rd | RECURSION_AVAILABLE | RCODE[local.rcode], questions: [question],
        answers: local.answers, authorities: local.authorities, additionals: local.additionals,
      };
      const out = encode(reply);
      const limit = transport === 'tcp' ? 65535 : Math.max(512, ednsSize(q));
      if (out.length <= limit) return out;
      return encode({ ...reply, flags: reply.flags! | TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: [] });
    } catch (err) {
      this.log.warn({ err, name: question.name, type: question.type }, 'cannot answer a DNS query');
      return encode({ type: 'response', id: q.id, flags: rd | RECURSION_AVAILABLE | RCODE.SERVFAIL, questions: [question] });
    }
  }
}

function ednsSize(q: DecodedPacket): number {
  const opt = (q.additionals ?? []).find((a: Answer): a is OptAnswer => a.type === 'OPT');
  return opt?.udpPayloadSize ?? 512;
}
