// The records of the cluster zone, as the Kubernetes DNS spec (kubernetes/dns docs/specification.md, schema 1.0.1)
// asks: for a question (name, type) and a view of the cluster, the answer — or undefined when the name is not ours
// and goes to the upstream resolvers. Pure: no sockets, no clock.
//   <svc>.<ns>.svc.<zone>              A: the ClusterIP; headless: every ready endpoint (NXDOMAIN when none);
//                                      ExternalName: a CNAME
//   <hostname>.<svc>.<ns>.svc.<zone>   A: that endpoint of a headless Service (its `hostname`, e.g. a StatefulSet
//                                      pod under its serviceName; else its IP with dashes, CoreDNS's identifier)
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV per named port (headless: per ready endpoint × port), with the A
//                                      records of the targets in the additional section
//   <a-b-c-d>.<ns>.pod.<zone>          A a.b.c.d (deprecated, still required)
//   dns-version.<zone>                 TXT "1.0.1"
//   d.c.b.a.in-addr.arpa               PTR for a ClusterIP or a headless endpoint; other addresses are forwarded
// A name that exists with no record of the asked type is NODATA (NOERROR, empty answer), one that does not exist is
// NXDOMAIN; both carry the zone's SOA, whose minimum is the negative-caching TTL. TTL 30 as kubeadm's CoreDNS.
import type { Answer, RecordType } from 'dns-packet';
import type { ClusterView, ReadyEndpoint } from './cluster-view.ts';

export const DNS_TTL = 30;
export const SCHEMA_VERSION = '1.0.1';

export interface ZoneAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  additionals: Answer[];
  authorities: Answer[];
}

export function clusterAnswer(qname: string, qtype: RecordType, view: ClusterView, zone: string): ZoneAnswer | undefined {
  const name = qname.toLowerCase().replace(/\.$/, '');
  if (name.endsWith('.in-addr.arpa')) return reverse(name, qtype, view, zone);
  if (name !== zone && !name.endsWith(`.${zone}`)) return undefined;
  const labels = name === zone ? [] : name.slice(0, -zone.length - 1).split('.');
  const r = new Reply(name, qtype, zone);
  if (labels.length === 0) return qtype === 'SOA' ? r.add(soa(zone)) : r.nodata();
  if (labels.length === 1 && labels[0] === 'dns-version') return r.add({ type: 'TXT', name, ttl: DNS_TTL, data: SCHEMA_VERSION });
  const [kind, ns, svcName, ...rest] = [...labels].reverse();
  if (kind === 'pod') return pod(r, labels);
  if (kind !== 'svc') return r.nxdomain();
  if (ns === undefined) return r.nodata();
  if (svcName === undefined) return view.hasNamespace(ns) ? r.nodata() : r.nxdomain();
  const svc = view.service(ns, svcName);
  if (!svc) return r.nxdomain();
  const svcFqdn = `${svcName}.${ns}.svc.${zone}`;
  const headless = svc.spec.clusterIP === 'None';
  const { endpoints, ports } = headless ? view.endpoints(ns, svcName) : { endpoints: [], ports: [] };
  if (rest.length === 0) {
    if (svc.spec.type === 'ExternalName' && svc.spec.externalName) return r.add({ type: 'CNAME', name, ttl: DNS_TTL, data: svc.spec.externalName.replace(/\.$/, '') });
    if (!headless) return qtype === 'A' && svc.spec.clusterIP ? r.add(a(name, svc.spec.clusterIP)) : r.nodata();
    if (endpoints.length === 0) return r.nxdomain();
    return qtype === 'A' ? r.add(...endpoints.map((e) => a(name, e.ip))) : r.nodata();
  }
  if (rest.length === 1 && !rest[0].startsWith('_')) {
    const hits = headless ? endpoints.filter((e) => hostLabel(e) === rest[0]) : [];
    if (hits.length === 0) return r.nxdomain();
    return qtype === 'A' ? r.add(...hits.map((e) => a(name, e.ip))) : r.nodata();
  }
  // _<proto> alone is an empty non-terminal when some port of the Service uses it; _<port>._<proto> holds the SRVs.
  const [proto, port, ...deeper] = rest;
  const named = (svc.spec.ports ?? []).filter((p) => p.name && `_${(p.protocol ?? 'TCP').toLowerCase()}` === proto);
  if (deeper.length > 0 || !proto.startsWith('_')) return r.nxdomain();
  if (port === undefined) return named.length ? r.nodata() : r.nxdomain();
  const matching = named.filter((p) => `_${p.name}` === port);
  if (matching.length === 0) return r.nxdomain();
  if (!headless) {
    if (qtype !== 'SRV') return r.nodata();
    for (const p of matching) r.add(srv(name, p.port, svcFqdn));
    return r.extra(a(svcFqdn, svc.spec.clusterIP!));
  }
  const published = ports.filter((p) => matching.some((m) => m.name === p.name && (m.protocol ?? 'TCP') === (p.protocol ?? 'TCP')));
  if (endpoints.length === 0 || published.length === 0) return r.nxdomain();
  if (qtype !== 'SRV') return r.nodata();
  for (const e of endpoints) {
    const target = `${hostLabel(e)}.${svcFqdn}`;
    for (const p of published) r.add(srv(name, p.port ?? 0, target));
    r.extra(a(target, e.ip));
  }
  return r;
}

/** An endpoint's DNS label: its hostname, else its IP with dashes. */
const hostLabel = (e: ReadyEndpoint) => e.hostname ?? e.ip.replace(/\./g, '-');

const a = (name: string, ip: string): Answer => ({ type: 'A', name, ttl: DNS_TTL, data: ip });
const srv = (name: string, port: number, target: string): Answer => ({ type: 'SRV', name, ttl: DNS_TTL, data: { priority: 0, weight: 100, port, target } });
const soa = (zone: string): Answer => ({
  type: 'SOA', name: zone, ttl: DNS_TTL,
  data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: DNS_TTL },
});

function pod(r: Reply, labels: string[]): ZoneAnswer {
  // <a-b-c-d>.<ns>.pod.<zone>; <ns>.pod.<zone> and pod.<zone> exist as empty non-terminals.
  if (labels.length < 3) return r.nodata();
  if (labels.length > 3) return r.nxdomain();
  const octets = labels[0].split('-');
  if (octets.length !== 4 || !octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255)) return r.nxdomain();
  return r.qtype === 'A' ? r.add(a(r.name, octets.join('.'))) : r.nodata();
}

function reverse(name: string, qtype: RecordType, view: ClusterView, zone: string): ZoneAnswer | undefined {
  const octets = name.slice(0, -'.in-addr.arpa'.length).split('.');
  if (octets.length !== 4) return undefined;
  const owner = view.owner(octets.reverse().join('.'));
  if (!owner) return undefined;
  const svc = `${owner.service.metadata.name}.${owner.service.metadata.namespace}.svc.${zone}`;
  const r = new Reply(name, qtype, zone);
  if (qtype !== 'PTR') return r.nodata();
  return r.add({ type: 'PTR', name, ttl: DNS_TTL, data: owner.endpoint ? `${hostLabel(owner.endpoint)}.${svc}` : svc });
}

/** Builds one ZoneAnswer; NODATA and NXDOMAIN carry the zone's SOA. */
class Reply implements ZoneAnswer {
  rcode: ZoneAnswer['rcode'] = 'NOERROR';
  answers: Answer[] = [];
  additionals: Answer[] = [];
  authorities: Answer[] = [];
  constructor(readonly name: string, readonly qtype: RecordType, private readonly zone: string) {}
  add(...answers: Answer[]): this { this.answers.push(...answers); return this; }
  extra(...answers: Answer[]): this { this.additionals.push(...answers); return this; }
  nodata(): this { this.authorities = [soa(this.zone)]; return this; }
  nxdomain(): this { this.rcode = 'NXDOMAIN'; return this.nodata(); }
}
