// Issue 20 (API side): core/v1 Services with ClusterIP and NodePort allocation free of double allocation across a
// restart, defaults and validation as Kubernetes, the immutable clusterIP, the `kubernetes` Service, Endpoints and
// EndpointSlice kinds, discovery and Tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { decode, encode, type DecodedPacket } from 'dns-packet';
import { waitFor } from '@podling/testkit';
import { call, useApiserver } from './http-helpers.ts';

// A /28 holds 14 usable addresses: small enough to fill, so a restart that forgot allocations would collide.
const srv = useApiserver(['--controllers', 'none', '--service-cluster-ip-range', '10.100.0.0/28', '--service-node-port-range', '30000-30009']);
const NS = '/api/v1/namespaces/default';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

const svc = (name: string, spec: object = {}) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});

test('the kubernetes Service takes the first address of the range and points at the apiserver', async () => {
  const k = (await call(srv.url, 'GET', `${NS}/services/kubernetes`)).body;
  assert.equal(k.spec.clusterIP, '10.100.0.1');
  assert.deepEqual(k.spec.ports, [{ name: 'https', protocol: 'TCP', port: 443, targetPort: Number(new URL(srv.url).port) }]);
  const ep = (await call(srv.url, 'GET', `${NS}/endpoints/kubernetes`)).body;
  assert.deepEqual(ep.subsets[0].addresses, [{ ip: '127.0.0.1' }]);
  const slice = (await call(srv.url, 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes')).body;
  assert.equal(slice.endpoints[0].addresses[0], '127.0.0.1');
});

test('issue 20: the kube-dns Service in kube-system takes the 10th address and points at the embedded DNS server, which answers from the API', async () => {
  // Written once the server listens, which may be after /readyz: wait for it.
  const k = await waitFor(async () => { const r = await call(srv.url, 'GET', '/api/v1/namespaces/kube-system/endpoints/kube-dns'); return r.status === 200 && (await call(srv.url, 'GET', '/api/v1/namespaces/kube-system/services/kube-dns')).body; }, { message: 'the kube-dns Service and its endpoints' });
  assert.equal(k.spec.clusterIP, '10.100.0.10');
  assert.equal(k.metadata.labels['k8s-app'], 'kube-dns');
  const port = k.spec.ports[0].targetPort;
  assert.deepEqual(k.spec.ports, [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: port }, { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: port }]);
  const ep = (await call(srv.url, 'GET', '/api/v1/namespaces/kube-system/endpoints/kube-dns')).body;
  assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'dns', port, protocol: 'UDP' }, { name: 'dns-tcp', port, protocol: 'TCP' }] }]);
  const slice = (await call(srv.url, 'GET', '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns')).body;
  assert.deepEqual(slice.endpoints.map((e: { addresses: string[] }) => e.addresses), [['127.0.0.1']]);
  const answer = await waitFor(async () => {
    const r = await udpQuery(port, 'kubernetes.default.svc.cluster.local');
    return r.answers?.length ? r.answers.map((a) => (a as { data: string }).data) : false;
  }, { message: 'the DNS server knows the kubernetes Service' });
  assert.deepEqual(answer, ['10.100.0.1']);
});

/** One A question to the DNS server on loopback. */
function udpQuery(port: number, name: string): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error('no DNS reply')); }, 2000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(decode(m)); });
    s.send(encode({ type: 'query', id: 1, flags: 0x100, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
  });
}

test('a Service is defaulted as Kubernetes does and gets a ClusterIP from the range', async () => {
  const r = await call(srv.url, 'POST', `${NS}/services`, svc('web', { sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, targetPort: 'http' }] }));
  assert.equal(r.status, 201, r.text);
  const s = r.body.spec;
  assert.match(s.clusterIP, /^10\.100\.0\.(\d+)$/);
  assert.deepEqual(s.clusterIPs, [s.clusterIP]);
  assert.equal(s.type, 'ClusterIP');
  assert.deepEqual(s.ports, [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }]);
  assert.deepEqual(s.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  assert.deepEqual([s.ipFamilyPolicy, s.ipFamilies, s.internalTrafficPolicy], ['SingleStack', ['IPv4'], 'Cluster']);
  const headless = await call(srv.url, 'POST', `${NS}/services`, svc('db', { clusterIP: 'None' }));
  assert.equal(headless.body.spec.clusterIP, 'None', headless.text);
});

test('invalid Services are refused with Kubernetes messages', async () => {
  const cases: [object, string][] = [
    [svc('a', { ports: [] }), 'Service "a" is invalid: spec.ports: Required value'],
    [svc('a', { ports: [{ port: 80 }, { port: 81 }] }), 'spec.ports[0].name: Required value'],
    [svc('a', { ports: [{ port: 70000 }] }), 'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    [svc('a', { type: 'Weird' }), 'spec.type: Unsupported value: "Weird": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    [svc('a', { ports: [{ port: 80, nodePort: 30001 }] }), "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    [svc('a', { type: 'NodePort', clusterIP: 'None' }), "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"],
    [svc('a', { clusterIP: '10.1.2.3' }), 'spec.clusterIPs: Invalid value: ["10.1.2.3"]: failed to allocate IP 10.1.2.3: provided IP is not in the valid range. The range of valid IPs is 10.100.0.0/28'],
    [svc('a', { clusterIP: '10.100.0.1' }), 'failed to allocate IP 10.100.0.1: provided IP is already allocated'],
    [svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }), 'spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-30009'],
  ];
  for (const [body, message] of cases) {
    const r = await call(srv.url, 'POST', `${NS}/services`, body);
    assert.equal(r.status, 422, r.text);
    assert.ok(r.body.message.includes(message), `${r.body.message}\n  wanted: ${message}`);
  }
});

test('spec.clusterIP is immutable, and an update that leaves it out keeps it', async () => {
  const cur = (await call(srv.url, 'GET', `${NS}/services/web`)).body;
  // Another address than the one web drew at random (drawing .13 itself made this case flaky).
  const other = cur.spec.clusterIP === '10.100.0.13' ? '10.100.0.12' : '10.100.0.13';
  const moved = await call(srv.url, 'PUT', `${NS}/services/web`, { ...cur, spec: { ...cur.spec, clusterIP: other, clusterIPs: [other] } });
  assert.equal(moved.status, 422);
  assert.match(moved.body.message, new RegExp(`spec\\.clusterIPs\\[0\\]: Invalid value: "${other.replace(/\./g, '\\.')}": field is immutable`));
  const { clusterIP: _a, clusterIPs: _b, ...rest } = cur.spec;
  const kept = await call(srv.url, 'PUT', `${NS}/services/web`, { ...cur, spec: rest });
  assert.equal(kept.body.spec.clusterIP, cur.spec.clusterIP, kept.text);
});

test('NodePorts are allocated, kept on update, and dropped when the type goes back to ClusterIP', async () => {
  const r = await call(srv.url, 'POST', `${NS}/services`, svc('np', { type: 'NodePort' }));
  const port = r.body.spec.ports[0].nodePort;
  assert.ok(port >= 30000 && port <= 30009, r.text);
  assert.equal(r.body.spec.externalTrafficPolicy, 'Cluster');
  const taken = await call(srv.url, 'POST', `${NS}/services`, svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }));
  assert.match(taken.body.message, new RegExp(`nodePort: Invalid value: ${port}: provided port is already allocated`));
  const merged = await call(srv.url, 'PATCH', `${NS}/services/np`, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, { contentType: 'application/strategic-merge-patch+json' });
  assert.equal(merged.body.spec.ports[0].nodePort, port, merged.text);
  const back = await call(srv.url, 'PATCH', `${NS}/services/np`, { spec: { type: 'ClusterIP', externalTrafficPolicy: null } }, { contentType: 'application/merge-patch+json' });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.body.spec.ports[0].nodePort, undefined);
});

test('after a restart, allocation never hands out an address or port a stored Service holds (the range fills up)', async () => {
  await srv.restart();
  const ips = new Set<string>();
  for (const s of (await call(srv.url, 'GET', '/api/v1/services')).body.items) if (s.spec.clusterIP !== 'None') ips.add(s.spec.clusterIP);
  for (let i = 0; ; i++) {
    const r = await call(srv.url, 'POST', `${NS}/services`, svc(`fill-${i}`));
    if (r.status === 422) { assert.match(r.body.message, /range is full/); break; }
    assert.equal(r.status, 201, r.text);
    assert.ok(!ips.has(r.body.spec.clusterIP), `${r.body.spec.clusterIP} handed out twice`);
    ips.add(r.body.spec.clusterIP);
  }
  assert.equal(ips.size, 14);
  await call(srv.url, 'DELETE', `${NS}/services/fill-0`);
  assert.equal((await call(srv.url, 'POST', `${NS}/services`, svc('again'))).status, 201, 'a deleted Service frees its address');
});

test('Tables show kubectl columns for services, endpoints and endpointslices; discovery has short names and categories', async () => {
  const t = (await call(srv.url, 'GET', `${NS}/services`, undefined, { accept: TABLE })).body;
  assert.deepEqual(t.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
  const db = t.rows.find((r: { cells: string[] }) => r.cells[0] === 'db').cells;
  assert.deepEqual(db.slice(1, 5), ['ClusterIP', 'None', '<none>', '80/TCP']);
  const ep = (await call(srv.url, 'GET', `${NS}/endpoints`, undefined, { accept: TABLE })).body;
  assert.deepEqual(ep.rows.find((r: { cells: string[] }) => r.cells[0] === 'kubernetes').cells[1], `127.0.0.1:${new URL(srv.url).port}`);
  const core = new Map((await call(srv.url, 'GET', '/api/v1')).body.resources.map((r: { name: string }) => [r.name, r]));
  assert.deepEqual(core.get('services'), { name: 'services', singularName: 'service', namespaced: true, kind: 'Service',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['svc'], categories: ['all'] });
  assert.deepEqual((core.get('endpoints') as { shortNames: string[] }).shortNames, ['ep']);
  const disc = (await call(srv.url, 'GET', '/apis/discovery.k8s.io/v1')).body.resources.map((r: { name: string }) => r.name);
  assert.deepEqual(disc, ['endpointslices']);
});
