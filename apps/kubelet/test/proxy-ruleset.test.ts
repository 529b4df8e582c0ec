// Issue 20: the node proxy's rules as a pure function (Services + EndpointSlices → service ports → nftables text),
// and, as root, the scripts loaded into a network namespace this test makes (the kernel is the judge of syntax and of
// the incremental sync keeping ClientIP affinity state).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { EndpointSlice, Endpoints, Service, SliceEndpoint } from '@podling/api';
import { proxyServicePorts } from '../src/proxy-service-ports.ts';
import { renderProxyRuleset, type ProxyNodeFacts } from '../src/proxy-ruleset.ts';
import { formatRuleset, fullScript, syncScript } from '../src/proxy-transaction.ts';
import { proxyUnavailableReason, ServiceProxyCondition } from '../src/service-proxy-condition.ts';

const NODE: ProxyNodeFacts = { podCIDR: '10.244.1.0/24', clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/12', nodeIPs: ['192.168.50.11', '127.0.0.1'] };

function svc(name: string, clusterIP: string, spec: Partial<Service['spec']> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec } };
}
const ep = (ip: string, conditions: SliceEndpoint['conditions'] = { ready: true }): SliceEndpoint => ({ addresses: [ip], conditions });
function slice(service: string, endpoints: SliceEndpoint[], port = 8080): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `${service}-${randomBytes(2).toString('hex')}`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    ports: [{ name: 'http', port, protocol: 'TCP' }], endpoints,
  };
}

test('service ports: ready endpoints only; serving terminating ones only when none is ready; none for headless or ExternalName', () => {
  const ports = proxyServicePorts([
    svc('web', '10.96.0.50'), svc('draining', '10.96.0.51'), svc('headless', 'None'),
    svc('ext', '', { type: 'ExternalName', externalName: 'example.com' }),
  ], [
    slice('web', [ep('10.244.2.3'), ep('10.244.1.2'), ep('10.244.1.9', { ready: false, serving: true, terminating: true }), ep('10.244.1.7', { ready: false, serving: false })]),
    slice('draining', [ep('10.244.1.4', { ready: false, serving: true, terminating: true }), ep('10.244.1.5', { ready: false, serving: false, terminating: true })]),
  ]);
  assert.deepEqual(ports.map((p) => [p.service, p.endpoints.map((e) => `${e.ip}:${e.port}`)]), [
    ['draining', ['10.244.1.4:8080']],
    ['web', ['10.244.1.2:8080', '10.244.2.3:8080']],
  ]);
});

test('service ports: a selector-less Service with hand-written v1 Endpoints and no slice uses the Endpoints; NodePort and ClientIP affinity carried', () => {
  const endpoints: Endpoints = {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'dns', namespace: 'default' },
    subsets: [{ addresses: [{ ip: '10.77.0.1' }], notReadyAddresses: [{ ip: '10.77.0.9' }], ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }] }],
  };
  const ports = proxyServicePorts([
    svc('dns', '10.96.0.10', { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }),
    svc('web', '10.96.0.50', { type: 'NodePort', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }),
    svc('plain', '10.96.0.52', { ports: [{ name: 'http', port: 80, nodePort: 30081 }] }),
  ], [slice('web', [ep('10.244.1.2')])], [endpoints]);
  const dns = ports.find((p) => p.service === 'dns')!;
  assert.deepEqual([dns.protocol, dns.endpoints], ['udp', [{ ip: '10.77.0.1', port: 5353 }]]);
  const web = ports.find((p) => p.service === 'web')!;
  assert.deepEqual([web.nodePort, web.affinitySeconds], [30080, 10800]);
  assert.equal(ports.find((p) => p.service === 'plain')!.nodePort, undefined, 'a ClusterIP Service has no NodePort');
});

test('the ruleset: a random pick over every endpoint, DNAT per endpoint, refusal for no endpoints and for unheld service addresses', () => {
  const ports = proxyServicePorts([svc('web', '10.96.0.50', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }), svc('empty', '10.96.0.51')],
    [slice('web', [ep('10.244.1.2'), ep('10.244.1.3'), ep('10.244.2.2')])]);
  const text = formatRuleset(renderProxyRuleset(NODE, ports));
  const expect = (re: RegExp) => assert.match(text, re);
  expect(/^chain service-default\/web\/tcp\/http \{\n  ip daddr 10\.96\.0\.50 tcp dport 80 ip saddr != \{ 10\.244\.0\.0\/16, 10\.244\.1\.0\/24 \} jump mark-for-masquerade\n  numgen random mod 3 vmap \{ 0 : goto endpoint-default\/web\/tcp\/http__10\.244\.1\.2\/8080, 1 : goto endpoint-default\/web\/tcp\/http__10\.244\.1\.3\/8080, 2 : goto endpoint-default\/web\/tcp\/http__10\.244\.2\.2\/8080 \}\n\}$/m);
  expect(/^chain endpoint-default\/web\/tcp\/http__10\.244\.2\.2\/8080 \{\n  ip saddr 10\.244\.2\.2 jump mark-for-masquerade\n  meta l4proto tcp dnat to 10\.244\.2\.2:8080\n\}$/m);
  expect(/^map service-ips \{ .* \}\n  10\.96\.0\.50 \. tcp \. 80 : goto service-default\/web\/tcp\/http$/m);
  expect(/^map service-nodeports \{ .* \}\n  tcp \. 30080 : goto external-default\/web\/tcp\/http$/m);
  expect(/^map no-endpoint-services \{ .* \}\n  10\.96\.0\.51 \. tcp \. 80 : goto reject-chain$/m);
  expect(/^set nodeport-ips \{ type ipv4_addr ; \}\n  192\.168\.50\.11$/m); // never loopback
  expect(/^chain cluster-ips-check \{\n  ip daddr @cluster-ips reject\n  ip daddr 10\.96\.0\.0\/12 reject\n\}$/m);
  expect(/^chain nat-prerouting \{\n  type nat hook prerouting priority -100 ; policy accept ;\n  ip saddr 10\.244\.1\.0\/24 jump services\n  jump nodeports\n\}$/m);
  expect(/^chain filter-output \{\n  type filter hook output priority -90 ; policy accept ;\n/m);
  assert.doesNotMatch(text, /service-default\/empty/, 'no chain for a service without endpoints');
});

test('the ruleset: without a pod range yet, no prerouting ClusterIP dispatch and no forward checks (only the host\'s traffic)', () => {
  const text = formatRuleset(renderProxyRuleset({ ...NODE, podCIDR: undefined }, []));
  assert.match(text, /^chain nat-prerouting \{\n  .*\n  jump nodeports\n\}$/m);
  assert.match(text, /^chain filter-forward \{\n  .*\n\}$/m);
});

test('the sync script deletes what the previous ruleset had and keeps affinity sets; the full script replaces the table', () => {
  const affine = { sessionAffinity: 'ClientIP' as const, sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } };
  const before = renderProxyRuleset(NODE, proxyServicePorts([svc('web', '10.96.0.50', affine)], [slice('web', [ep('10.244.1.2'), ep('10.244.1.3')])]));
  const after = renderProxyRuleset(NODE, proxyServicePorts([svc('web', '10.96.0.50', affine)], [slice('web', [ep('10.244.1.2')])]));
  const sync = syncScript('podling-svc-t', 'c', before, after);
  assert.match(sync, /^delete chain ip podling-svc-t endpoint-default\/web\/tcp\/http__10\.244\.1\.3\/8080$/m);
  assert.match(sync, /^delete set ip podling-svc-t affinity-default\/web\/tcp\/http__10\.244\.1\.3\/8080$/m);
  assert.doesNotMatch(sync, /^flush set ip podling-svc-t affinity-/m);
  assert.ok(sync.indexOf('flush map ip podling-svc-t service-ips') < sync.indexOf('delete chain'), 'maps pointing at a chain are flushed before it goes');
  assert.match(fullScript('podling-svc-t', 'c', after), /^add table ip podling-svc-t\ndelete table ip podling-svc-t\nadd table ip podling-svc-t \{ comment "c" ; \}$/m);
});

test('without root or nft the Node condition says why ClusterIPs do not work, one warning event per new reason, and a change is reported at once', () => {
  assert.match(proxyUnavailableReason(1000, 'nftables v1.0.6')!, /runs as uid 1000.*needs root: ClusterIPs and NodePorts do not work on this node/);
  assert.match(proxyUnavailableReason(0, undefined)!, /`nft` \(Debian package nftables\) is not installed/);
  assert.equal(proxyUnavailableReason(0, 'nftables v1.0.6'), undefined);
  const warned: string[] = [];
  let changes = 0;
  const c = new ServiceProxyCondition('podling-svc-t', (reason, message) => warned.push(`${reason}: ${message}`), () => { changes++; });
  c.set('no root');
  c.set('no root');
  assert.deepEqual(c.template(), { type: 'ServiceProxyUnavailable', status: 'True', reason: 'ServiceProxyNotProgrammed', message: 'no root' });
  c.set(undefined);
  assert.equal(c.template().status, 'False');
  c.set(undefined);
  assert.deepEqual(warned, ['ServiceProxyUnavailable: no root']);
  assert.equal(changes, 2, 'the Node status is sent again on each change, not on every sync');
});

function rootSkip(): string | false {
  if (process.getuid?.() !== 0) return 'loading nftables rules needs root (run as root, as CI does)';
  try { execFileSync('nft', ['--version'], { stdio: 'ignore' }); } catch { return '`nft` (Debian package nftables) is not installed'; }
  return false;
}

test('issue 20: the kernel takes the full and the incremental scripts, and a sync keeps affinity entries', { skip: rootSkip() }, () => {
  const ns = `pl-proxy-${randomBytes(3).toString('hex')}`;
  const nft = (args: string[], input?: string) => execFileSync('ip', ['netns', 'exec', ns, 'nft', ...args], { encoding: 'utf8', input });
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const unnamed = svc('one', '10.96.0.60', { ports: [{ port: 80, protocol: 'TCP' }] });
    const ports = (ips: string[]) => proxyServicePorts([svc('web', '10.96.0.50', { type: 'NodePort', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }), unnamed],
      [slice('web', ips.map((ip) => ep(ip))), { ...slice('one', [ep('10.244.1.5')]), ports: [{ port: 8080, protocol: 'TCP' }] }]);
    const a = renderProxyRuleset(NODE, ports(['10.244.1.2', '10.244.1.3']));
    nft(['-f', '-'], fullScript('podling-svc-t', 'test', a));
    nft(['-f', '-'], fullScript('podling-svc-t', 'test', a)); // idempotent
    nft(['add', 'element', 'ip', 'podling-svc-t', 'affinity-default/web/tcp/http__10.244.1.2/8080', '{ 10.244.1.77 }']);
    nft(['-f', '-'], syncScript('podling-svc-t', 'test', a, renderProxyRuleset(NODE, ports(['10.244.1.2']))));
    const listed = nft(['list', 'table', 'ip', 'podling-svc-t']);
    assert.match(listed, /elements = \{ 10\.244\.1\.77 expires/, 'the affinity entry survived the sync');
    assert.doesNotMatch(listed, /10\.244\.1\.3/, 'the gone endpoint left no trace');
    assert.match(listed, /dnat to 10\.244\.1\.5:8080/, 'an unnamed port works too');
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
});
