import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeQosClass, defaultNode, defaultPod, fieldErrorText, formatCpu, formatMemory, parseQuantity,
  validateEvent, validateNamespace, validateNode, validateNodeUpdate, type KubeEvent, type Namespace, type Node, type Pod,
} from '../src/index.ts';

const pod = (containers: Pod['spec']['containers'], extra: Partial<Pod['spec']> = {}): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers, ...extra } });

test('defaultPod fills every v1 default without overriding client values', () => {
  const p = pod([{ name: 'a', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } },
    readinessProbe: { httpGet: { port: 80 } } }], { volumes: [{ name: 'v' }], restartPolicy: 'Never' });
  defaultPod(p);
  assert.equal(p.spec.restartPolicy, 'Never');
  assert.equal(p.spec.terminationGracePeriodSeconds, 30);
  assert.equal(p.spec.dnsPolicy, 'ClusterFirst');
  assert.equal(p.spec.schedulerName, 'default-scheduler');
  assert.deepEqual(p.spec.securityContext, {});
  assert.equal(p.spec.enableServiceLinks, true);
  const c = p.spec.containers[0];
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.ports![0].protocol, 'TCP');
  assert.deepEqual(c.resources!.requests, { cpu: '1' });
  assert.deepEqual(c.readinessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(p.spec.volumes![0], { name: 'v', emptyDir: {} });
});

test('probe defaulting replaces zero values, as Go defaulting does', () => {
  const p = pod([{ name: 'a', image: 'x', livenessProbe: { tcpSocket: { port: 1 }, periodSeconds: 0, timeoutSeconds: 0, successThreshold: 0, failureThreshold: 0 },
    lifecycle: { postStart: { httpGet: { port: 1, path: '' } } } }]);
  defaultPod(p);
  const c = p.spec.containers[0];
  assert.deepEqual(c.livenessProbe, { tcpSocket: { port: 1 }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.lifecycle!.postStart!.httpGet, { port: 1, path: '/', scheme: 'HTTP' });
});

test('imagePullPolicy follows the tag rule', () => {
  const cases: [string, string][] = [['nginx', 'Always'], ['nginx:latest', 'Always'], ['nginx:1.25', 'IfNotPresent'],
    ['registry:5000/nginx', 'Always'], ['registry:5000/nginx:1', 'IfNotPresent'], ['nginx@sha256:abc', 'IfNotPresent']];
  for (const [image, want] of cases) {
    const p = pod([{ name: 'a', image }]);
    defaultPod(p);
    assert.equal(p.spec.containers[0].imagePullPolicy, want, image);
  }
});

test('QoS class', () => {
  const cases: [string, Pod, string][] = [
    ['nothing set is BestEffort', pod([{ name: 'a' }]), 'BestEffort'],
    ['limits only (requests default to them) is Guaranteed', pod([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }]), 'Guaranteed'],
    ['equal quantities in different spellings are Guaranteed', pod([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } } }]), 'Guaranteed'],
    ['requests below limits is Burstable', pod([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } } }]), 'Burstable'],
    ['a cpu limit only is Burstable', pod([{ name: 'a', resources: { limits: { cpu: '1' } } }]), 'Burstable'],
    ['one unconstrained container makes it Burstable', pod([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }, { name: 'b' }]), 'Burstable'],
  ];
  for (const [name, p, want] of cases) assert.equal(computeQosClass(p), want, name);
});

test('quantities parse to base units', () => {
  const cases: [string | number, number][] = [['500m', 0.5], ['2', 2], ['1.5', 1.5], ['128Mi', 128 * 2 ** 20], ['1Gi', 2 ** 30],
    ['1e3', 1000], ['128M', 128e6], ['1k', 1000], [3, 3], ['.5', 0.5]];
  for (const [q, want] of cases) assert.equal(parseQuantity(q), want, String(q));
  for (const bad of ['', 'abc', '1KB', '1 Gi', '1.2.3', 'Mi']) assert.throws(() => parseQuantity(bad), Error, bad);
  assert.equal(formatCpu(0.25), '250m');
  assert.equal(formatCpu(2), '2');
  assert.equal(formatMemory(128 * 2 ** 20), '128Mi');
});

test('defaultNode copies capacity to allocatable', () => {
  const n: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { capacity: { cpu: '4' } } };
  defaultNode(n);
  assert.deepEqual(n.status!.allocatable, { cpu: '4' });
});

test('node, namespace and event validation', () => {
  const node = (m: (n: Node) => void = () => {}): Node => { const n: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {} }; m(n); return n; };
  assert.deepEqual(validateNode(node()), []);
  assert.deepEqual(validateNode(node((n) => { n.spec!.taints = [{ key: 'k', effect: 'Sometimes' as 'NoSchedule' }]; })).map(fieldErrorText),
    ['spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']);
  assert.match(fieldErrorText(validateNode(node((n) => { n.spec!.taints = [{ key: 'k', effect: 'NoSchedule' }, { key: 'k', effect: 'NoSchedule' }]; }))[0]),
    /^spec\.taints\[1\]: Duplicate value: .*taints must be unique by key and effect pair$/);
  assert.deepEqual(validateNode(node((n) => { n.metadata.namespace = 'x'; })).map(fieldErrorText), ['metadata.namespace: Forbidden: not allowed on this type']);
  assert.deepEqual(validateNodeUpdate(node((n) => { n.metadata.name = 'n2'; }), node()).map(fieldErrorText), ['metadata.name: Invalid value: "n2": field is immutable']);

  const ns = (name: string): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  assert.deepEqual(validateNamespace(ns('team-a')), []);
  assert.match(fieldErrorText(validateNamespace(ns('a.b'))[0]), /^metadata\.name: Invalid value: "a\.b": a lowercase RFC 1123 label/);

  const ev = (m: (e: KubeEvent) => void): KubeEvent => { const e = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'p.1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started' } as KubeEvent; m(e); return e; };
  assert.deepEqual(validateEvent(ev(() => {})), []);
  assert.deepEqual(validateEvent(ev((e) => { e.involvedObject.namespace = 'other'; })).map(fieldErrorText), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  assert.deepEqual(validateEvent(ev((e) => { e.reason = 'x'.repeat(129); })).map(fieldErrorText), ['reason: Invalid value: "": can have at most 128 characters']);
  assert.deepEqual(validateEvent(ev((e) => { delete (e as Partial<KubeEvent>).involvedObject; })).map(fieldErrorText), ['involvedObject: Required value']);
});
