// Issue 20: the pod's /etc/resolv.conf by dnsPolicy and dnsConfig, as k/k pkg/kubelet/network/dns/dns.go decides it
// (its dns_test.go cases, told as sentences). Pure: no agent, no files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@podling/api';
import { formatResolvConf, parseResolvConf, podResolvConf } from '../src/pod-resolv-conf.ts';

const host = parseResolvConf('# managed\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example. lab.example\noptions timeout:2 attempts:3\n');
const cluster = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local' };
const pod = (spec: Record<string, unknown>, namespace = 'shop'): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace, uid: 'u1' }, spec: { containers: [], ...spec } }) as unknown as Pod;

test('the host file: nameservers accumulate, the last search and options lines win, search loses its trailing dot', () => {
  assert.deepEqual(host, { nameservers: ['192.0.2.53', '192.0.2.54'], searches: ['corp.example', 'lab.example'], options: ['timeout:2', 'attempts:3'] });
});

test('ClusterFirst (the default) gives the cluster DNS, the namespace\'s search list before the host\'s, and ndots:5', () => {
  const { conf, warnings } = podResolvConf(pod({}), cluster, host);
  assert.equal(formatResolvConf(conf), 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.96.0.10\noptions ndots:5\n');
  assert.deepEqual(warnings, []);
});

test('a hostNetwork pod with ClusterFirst gets the host\'s resolvers; ClusterFirstWithHostNet keeps the cluster\'s', () => {
  assert.deepEqual(podResolvConf(pod({ hostNetwork: true }), cluster, host).conf, host);
  assert.deepEqual(podResolvConf(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), cluster, host).conf.nameservers, ['10.96.0.10']);
});

test('Default is the host\'s file whatever the network; None is only dnsConfig', () => {
  assert.deepEqual(podResolvConf(pod({ dnsPolicy: 'Default' }), cluster, host).conf, host);
  const none = podResolvConf(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['192.0.2.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), cluster, host);
  assert.equal(formatResolvConf(none.conf), 'search a.example\nnameserver 192.0.2.1\noptions ndots:2 edns0\n');
});

test('dnsConfig appends nameservers and searches without duplicates and overrides options by name', () => {
  const { conf } = podResolvConf(pod({ dnsConfig: { nameservers: ['10.96.0.10', '192.0.2.9'], searches: ['cluster.local', 'x.example'], options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }] } }), cluster, host);
  assert.deepEqual(conf.nameservers, ['10.96.0.10', '192.0.2.9']);
  assert.deepEqual(conf.searches, ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example', 'x.example']);
  assert.deepEqual(conf.options, ['ndots:1', 'single-request']);
});

test('without --cluster-dns ClusterFirst falls back to Default with a MissingClusterDNS warning', () => {
  const { conf, warnings } = podResolvConf(pod({}), { clusterDNS: [], clusterDomain: 'cluster.local' }, host);
  assert.deepEqual(conf, host);
  assert.deepEqual(warnings.map((w) => w.reason), ['MissingClusterDNS']);
  assert.match(warnings[0].message, /kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy\. Falling back to "Default" policy\./);
});

test('over-long lists are cut to 3 nameservers and 32 search domains, each cut a DNSConfigForming warning', () => {
  const many = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
  const { conf, warnings } = podResolvConf(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'], searches: many } }), cluster, host);
  assert.deepEqual(conf.nameservers, ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  assert.equal(conf.searches.length, 32);
  assert.deepEqual(warnings.map((w) => w.reason), ['DNSConfigForming', 'DNSConfigForming']);
  assert.match(warnings[0].message, /^Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 192\.0\.2\.1 192\.0\.2\.2 192\.0\.2\.3$/);
});

test('a search line over 2048 characters loses domains from its end', () => {
  const long = Array.from({ length: 10 }, (_, i) => `${String(i).padStart(3, '0')}${'a'.repeat(240)}.example`);
  const { conf } = podResolvConf(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['192.0.2.1'], searches: long } }), cluster, host);
  assert.ok(conf.searches.join(' ').length <= 2048);
  assert.deepEqual(conf.searches, long.slice(0, conf.searches.length));
  assert.equal(conf.searches.length, 8);
});
