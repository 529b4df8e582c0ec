// Issue 20: the DNS server on the wire, over loopback only — UDP and TCP, flags and rcodes, truncation, forwarding of
// other names to an upstream (a stand-in resolver on 127.0.0.1 run by this test), SERVFAIL when it stays silent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net, { type AddressInfo } from 'node:net';
import { decode, encode, type DecodedPacket, type RecordType } from 'dns-packet';
import type { Service } from '@podling/api';
import { ClusterView, DnsForwarder, DnsServer, bindUdpAndTcp, clusterAnswer, parseUpstream, type Upstream } from '@podling/cluster-dns';

const quiet = { warn() {}, debug() {} };
const services: Service[] = [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.50' } }];
for (let i = 0; i < 60; i++) services.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: `big${i}`, namespace: 'default' }, spec: { clusterIP: 'None' } });
const view = new ClusterView(services, [{
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'big0-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'big0' } },
  addressType: 'IPv4', endpoints: Array.from({ length: 60 }, (_, i) => ({ addresses: [`10.244.9.${i + 1}`] })),
}]);

let upstream: dgram.Socket;
let upstreamTcp: net.Server;
let server: DnsServer;
let port: number;
let upstreams: Upstream[] = [];

/** The stand-in upstream answers every A question with 192.0.2.1, over UDP and TCP on the same port. */
function upstreamAnswer(msg: Buffer): Buffer {
  const q = decode(msg);
  return encode({ type: 'response', id: q.id, flags: 0x180, questions: q.questions, answers: [{ type: 'A', name: q.questions![0].name, ttl: 60, data: '192.0.2.1' }] });
}

/** The stand-in upstream, on UDP and TCP of one free port (the same binding the server uses). */
async function bindUpstream(): Promise<number> {
  const bound = await bindUdpAndTcp('127.0.0.1', 0);
  upstream = bound.udp.on('message', (m, r) => upstream.send(upstreamAnswer(m), r.port, r.address));
  upstreamTcp = bound.tcp.on('connection', (s) => s.on('data', (d) => { const reply = upstreamAnswer(d.subarray(2)); const l = Buffer.alloc(2); l.writeUInt16BE(reply.length); s.end(Buffer.concat([l, reply])); }));
  return bound.port;
}

before(async () => {
  const up = await bindUpstream();
  upstreams = [parseUpstream(`127.0.0.1:${up}`)!];
  const forwarder = new DnsForwarder(() => upstreams, 300);
  server = new DnsServer({ local: (n, t) => clusterAnswer(n, t, view, 'cluster.local'), forward: (q, t) => forwarder.forward(q, t) }, quiet);
  port = await server.listen('127.0.0.1', 0);
});

after(async () => {
  await server.close();
  upstream.close();
  await new Promise((r) => upstreamTcp.close(r));
});

/** dns-packet decodes the rcode too; its types leave it out. */
type Reply = DecodedPacket & { rcode: string };

const query = (name: string, type: RecordType, id = 7) => encode({ type: 'query', id, flags: 0x100, questions: [{ type, name }] });

function udp(msg: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error('no UDP reply')); }, 3000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(decode(m) as Reply); });
    s.send(msg, port, '127.0.0.1');
  });
}

function tcp(...msgs: Buffer[]): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const out: Reply[] = [];
    s.on('error', reject);
    // Both queries in one write: the server must split the length-prefixed stream.
    s.on('connect', () => s.write(Buffer.concat(msgs.map((m) => { const l = Buffer.alloc(2); l.writeUInt16BE(m.length); return Buffer.concat([l, m]); }))));
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { out.push(decode(buf.subarray(2, 2 + buf.readUInt16BE(0))) as Reply); buf = buf.subarray(2 + buf.readUInt16BE(0)); }
      if (out.length === msgs.length) { s.destroy(); resolve(out); }
    });
  });
}

test('a cluster name over UDP: authoritative, id and RD echoed, recursion available', async () => {
  const r = await udp(query('web.default.svc.cluster.local', 'A', 4242));
  assert.deepEqual([r.id, r.flag_aa, r.flag_rd, r.flag_ra, r.rcode], [4242, true, true, true, 'NOERROR']);
  assert.deepEqual(r.answers!.map((a) => [a.type, (a as { data: string }).data, (a as { ttl: number }).ttl]), [['A', '10.96.0.50', 30]]);
});

test('NXDOMAIN carries the SOA; two queries on one TCP connection both answered', async () => {
  const [a, b] = await tcp(query('nope.default.svc.cluster.local', 'A', 1), query('web.default.svc.cluster.local', 'A', 2));
  assert.deepEqual([a.id, a.rcode, a.authorities!.map((x) => x.type)], [1, 'NXDOMAIN', ['SOA']]);
  assert.deepEqual([b.id, (b.answers![0] as { data: string }).data], [2, '10.96.0.50']);
});

test('an answer too big for 512 bytes of UDP is truncated (TC) and whole over TCP', async () => {
  const small = await udp(query('big0.default.svc.cluster.local', 'A'));
  assert.deepEqual([small.flag_tc, small.answers!.length], [true, 0]);
  const [whole] = await tcp(query('big0.default.svc.cluster.local', 'A'));
  assert.deepEqual([whole.flag_tc, whole.answers!.length], [false, 60]);
});

test('other names are forwarded to the upstream over the transport they came on, its answer passed back', async () => {
  const r = await udp(query('example.org', 'A', 99));
  assert.deepEqual([r.id, r.flag_aa, (r.answers![0] as { data: string }).data], [99, false, '192.0.2.1']);
  const [t] = await tcp(query('example.net', 'A', 98));
  assert.deepEqual([t.id, (t.answers![0] as { data: string }).data], [98, '192.0.2.1']);
});

test('an upstream that stays silent gives SERVFAIL; garbage gives FORMERR or nothing', async () => {
  const saved = upstreams;
  const mute = dgram.createSocket('udp4');
  await new Promise<void>((r) => mute.bind(0, '127.0.0.1', r));
  upstreams = [{ host: '127.0.0.1', port: (mute.address() as AddressInfo).port }];
  try {
    const r = await udp(query('example.org', 'A', 5));
    assert.deepEqual([r.id, r.rcode], [5, 'SERVFAIL']);
  } finally { upstreams = saved; mute.close(); }
  const junk = Buffer.concat([query('web.default.svc.cluster.local', 'A', 77).subarray(0, 14)]);
  const f = await udp(junk);
  assert.deepEqual([f.id, f.rcode], [77, 'FORMERR']);
});

test('upstream addresses: ip, ip:port, [v6]:port; anything else refused', () => {
  assert.deepEqual(parseUpstream('192.0.2.53'), { host: '192.0.2.53', port: 53 });
  assert.deepEqual(parseUpstream('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  assert.deepEqual(parseUpstream('[::1]:53'), { host: '::1', port: 53 });
  assert.deepEqual(parseUpstream('fd00::53'), { host: 'fd00::53', port: 53 });
  assert.equal(parseUpstream('dns.example'), undefined);
  assert.equal(parseUpstream('127.0.0.1:0'), undefined);
});

test('a port whose TCP side is taken is refused with EADDRINUSE, and its UDP socket is released', async () => {
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const p = (taken.address() as AddressInfo).port;
  try {
    const other = new DnsServer({ local: () => undefined, forward: async () => undefined }, quiet);
    await assert.rejects(other.listen('127.0.0.1', p), { code: 'EADDRINUSE' });
    const udpAgain = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => { udpAgain.once('error', reject); udpAgain.bind(p, '127.0.0.1', resolve); });
    udpAgain.close();
    await other.close();
  } finally {
    taken.close();
  }
});
