// Issue 20: the cluster zone's answers, as the Kubernetes DNS spec (kubernetes/dns docs/specification.md) words
// them, from a fixed view of Services and EndpointSlices. Pure: no server, no sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Service } from '@podling/api';
import { ClusterView, clusterAnswer } from '@podling/cluster-dns';

const svc = (name: string, ns: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec });
const slice = (name: string, ns: string, service: string, endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports']): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', endpoints, ports,
});

const view = new ClusterView([
  svc('web', 'default', { clusterIP: '10.96.0.50', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { port: 8443 }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
  svc('db', 'shop', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }),
  svc('empty', 'shop', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
  svc('ext', 'shop', { type: 'ExternalName', externalName: 'db.example.com' }),
], [
  slice('db-abc', 'shop', 'db', [
    { addresses: ['10.244.1.5'], hostname: 'db-0', conditions: { ready: true } },
    { addresses: ['10.244.2.6'], hostname: 'db-1' },
    { addresses: ['10.244.2.7'], conditions: { ready: true } },
    { addresses: ['10.244.2.8'], hostname: 'db-2', conditions: { ready: false, serving: true, terminating: true } },
  ], [{ name: 'pg', port: 15432, protocol: 'TCP' }]),
]);
const ask = (name: string, type: Parameters<typeof clusterAnswer>[1] = 'A') => clusterAnswer(name, type, view, 'cluster.local');
const data = (name: string, type: Parameters<typeof clusterAnswer>[1] = 'A') => ask(name, type)!.answers.map((a) => (a as { data: unknown }).data);

test('a ClusterIP Service\'s name is an A record of its ClusterIP, TTL 30, case-insensitively, with or without the final dot', () => {
  const r = ask('WEB.Default.svc.cluster.local.')!;
  assert.deepEqual([r.rcode, r.answers], ['NOERROR', [{ type: 'A', name: 'web.default.svc.cluster.local', ttl: 30, data: '10.96.0.50' }]]);
});

test('a name that exists without records of the asked type is NODATA with the zone\'s SOA; one that does not is NXDOMAIN', () => {
  const aaaa = ask('web.default.svc.cluster.local', 'AAAA')!;
  assert.deepEqual([aaaa.rcode, aaaa.answers.length, aaaa.authorities.map((a) => a.type)], ['NOERROR', 0, ['SOA']]);
  for (const name of ['nope.default.svc.cluster.local', 'web.other.svc.cluster.local', 'x.web.default.svc.cluster.local', 'thing.cluster.local', 'a.b.c.web.default.svc.cluster.local']) {
    assert.equal(ask(name)!.rcode, 'NXDOMAIN', name);
  }
  for (const name of ['cluster.local', 'svc.cluster.local', 'default.svc.cluster.local', '_tcp.web.default.svc.cluster.local', 'default.pod.cluster.local']) {
    const r = ask(name)!;
    assert.deepEqual([r.rcode, r.answers.length], ['NOERROR', 0], `${name} is an empty non-terminal`);
  }
  assert.equal(ask('quiet.svc.cluster.local')!.rcode, 'NXDOMAIN', 'a namespace without Services');
});

test('a headless Service\'s name lists its ready endpoints only; with none it is NXDOMAIN', () => {
  assert.deepEqual(data('db.shop.svc.cluster.local').sort(), ['10.244.1.5', '10.244.2.6', '10.244.2.7']);
  assert.equal(ask('empty.shop.svc.cluster.local')!.rcode, 'NXDOMAIN');
});

test('a StatefulSet pod\'s name under its headless Service is its endpoint\'s A record; an endpoint without a hostname answers to its dashed IP', () => {
  assert.deepEqual(data('db-0.db.shop.svc.cluster.local'), ['10.244.1.5']);
  assert.deepEqual(data('10-244-2-7.db.shop.svc.cluster.local'), ['10.244.2.7']);
  assert.equal(ask('db-2.db.shop.svc.cluster.local')!.rcode, 'NXDOMAIN', 'a terminating (not ready) endpoint is not served');
  assert.equal(ask('db-0.web.default.svc.cluster.local')!.rcode, 'NXDOMAIN', 'a ClusterIP Service has no endpoint names');
});

test('SRV for each named port of a ClusterIP Service points at the Service\'s name, its A record in the additional section', () => {
  const r = ask('_http._tcp.web.default.svc.cluster.local', 'SRV')!;
  assert.deepEqual(r.answers, [{ type: 'SRV', name: '_http._tcp.web.default.svc.cluster.local', ttl: 30, data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } }]);
  assert.deepEqual(r.additionals.map((a) => (a as { data: string }).data), ['10.96.0.50']);
  assert.deepEqual(data('_dns._udp.web.default.svc.cluster.local', 'SRV'), [{ priority: 0, weight: 100, port: 53, target: 'web.default.svc.cluster.local' }]);
  assert.equal(ask('_dns._tcp.web.default.svc.cluster.local', 'SRV')!.rcode, 'NXDOMAIN', 'the protocol must match');
  assert.equal(ask('_8443._tcp.web.default.svc.cluster.local', 'SRV')!.rcode, 'NXDOMAIN', 'unnamed ports have no SRV');
});

test('SRV of a headless Service: one per ready endpoint and named port, the endpoint port, targets by hostname', () => {
  const targets = data('_pg._tcp.db.shop.svc.cluster.local', 'SRV') as { port: number; target: string }[];
  assert.deepEqual(targets.map((t) => `${t.target}:${t.port}`).sort(), ['10-244-2-7.db.shop.svc.cluster.local:15432', 'db-0.db.shop.svc.cluster.local:15432', 'db-1.db.shop.svc.cluster.local:15432']);
  assert.equal(ask('_pg._tcp.db.shop.svc.cluster.local', 'SRV')!.additionals.length, 3);
});

test('an ExternalName Service is a CNAME; pod names and dns-version as the spec requires', () => {
  assert.deepEqual(ask('ext.shop.svc.cluster.local')!.answers, [{ type: 'CNAME', name: 'ext.shop.svc.cluster.local', ttl: 30, data: 'db.example.com' }]);
  assert.deepEqual(data('10-244-1-5.shop.pod.cluster.local'), ['10.244.1.5']);
  assert.equal(ask('10-244-1-500.shop.pod.cluster.local')!.rcode, 'NXDOMAIN');
  assert.deepEqual(data('dns-version.cluster.local', 'TXT'), ['1.0.1']);
});

test('PTR for a ClusterIP and a headless endpoint; other addresses and names outside the zone are not ours', () => {
  assert.deepEqual(data('50.0.96.10.in-addr.arpa', 'PTR'), ['web.default.svc.cluster.local']);
  assert.deepEqual(data('5.1.244.10.in-addr.arpa', 'PTR'), ['db-0.db.shop.svc.cluster.local']);
  assert.equal(ask('1.2.0.192.in-addr.arpa', 'PTR'), undefined);
  assert.equal(ask('example.com'), undefined);
  assert.equal(ask('notcluster.local'), undefined);
});

test('the view follows updates and deletes of Services and slices', () => {
  const v = new ClusterView();
  const s = svc('api', 'default', { clusterIP: 'None' });
  const sl = slice('api-1', 'default', 'api', [{ addresses: ['10.244.0.9'] }], []);
  v.setService(s);
  v.setSlice(sl);
  assert.deepEqual(clusterAnswer('api.default.svc.cluster.local', 'A', v, 'cluster.local')!.answers.length, 1);
  v.setSlice({ ...sl, endpoints: [{ addresses: ['10.244.0.9'], conditions: { ready: false } }] });
  assert.equal(clusterAnswer('api.default.svc.cluster.local', 'A', v, 'cluster.local')!.rcode, 'NXDOMAIN');
  v.deleteService(s);
  assert.equal(clusterAnswer('default.svc.cluster.local', 'A', v, 'cluster.local')!.rcode, 'NXDOMAIN');
});
