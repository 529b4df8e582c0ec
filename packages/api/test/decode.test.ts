import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeObject, isStatusError, jsonDepth, MAX_JSON_DEPTH, type Pod } from '../src/index.ts';

const badRequest = (msg: string | RegExp) => (e: unknown) =>
  isStatusError(e) && e.code === 400 && (typeof msg === 'string' ? e.message === msg : msg.test(e.message));

test('kubectl run bodies with creationTimestamp null and empty status decode', () => {
  const raw = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web', creationTimestamp: null, labels: { run: 'web' } },
    spec: { containers: [{ name: 'web', image: 'nginx', resources: {} }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' }, status: {} };
  const { object, warnings } = decodeObject<Pod>('Pod', raw);
  assert.deepEqual(warnings, []);
  assert.equal(object.metadata.creationTimestamp, undefined);
  assert.deepEqual(object.status, {});
  assert.equal(object.spec.containers[0].image, 'nginx');
});

test('kind and apiVersion default when absent and are checked when present', () => {
  const { object } = decodeObject<Pod>('Pod', { metadata: { name: 'a' }, spec: { containers: [] } });
  assert.equal(object.kind, 'Pod');
  assert.equal(object.apiVersion, 'v1');
  assert.equal(decodeObject<{ apiVersion: string }>('Lease', { metadata: { name: 'n' } }).object.apiVersion, 'coordination.k8s.io/v1');
  assert.throws(() => decodeObject('Pod', { kind: 'Service' }), badRequest('the kind in the data (Service) does not match the expected kind (Pod)'));
  assert.throws(() => decodeObject('Pod', { apiVersion: 'apps/v1' }), badRequest('the API version in the data (apps/v1) does not match the expected API version (v1)'));
});

test('wrong field types are 400s that name the Go field path', () => {
  const cases: [string, unknown, string][] = [
    ['a numeric container name', { spec: { containers: [{ name: 5 }] } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string'],
    ['a string port', { spec: { containers: [{ name: 'a', ports: [{ containerPort: '80' }] }] } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int64'],
    ['a fractional grace period', { spec: { terminationGracePeriodSeconds: 1.5 } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64'],
    ['a numeric label value', { metadata: { labels: { a: 1 } } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    ['spec as a string', { spec: 'x' },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec'],
    ['containers as an object', { spec: { containers: {} } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container'],
  ];
  for (const [name, raw, msg] of cases) assert.throws(() => decodeObject('Pod', raw), badRequest(msg), name);
  assert.throws(() => decodeObject('Pod', [1]), badRequest(/^couldn't get version\/kind; json parse error: json: cannot unmarshal array into Go value of type struct/));
  assert.throws(() => decodeObject('Pod', 'x'), badRequest(/cannot unmarshal string into Go value/));
});

test('unknown fields: Strict lists them all, Warn drops and warns, Ignore drops silently', () => {
  // decodeObject takes ownership of its input (it prunes in place), so every call gets a fresh body.
  const body = () => ({ metadata: { name: 'a', bogus: 1 }, spec: { foo: 1, containers: [{ name: 'x', bar: 2 }] } });
  assert.throws(() => decodeObject('Pod', body(), { fieldValidation: 'Strict' }), badRequest(
    'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.bogus", unknown field "spec.foo", unknown field "spec.containers[0].bar"'));
  const warn = decodeObject<Pod>('Pod', body());
  assert.deepEqual(warn.warnings, ['unknown field "metadata.bogus"', 'unknown field "spec.foo"', 'unknown field "spec.containers[0].bar"']);
  assert.deepEqual(warn.object.spec, { containers: [{ name: 'x' }] });
  const raw = body();
  const ignore = decodeObject<Pod>('Pod', raw, { fieldValidation: 'Ignore' });
  assert.deepEqual(ignore.warnings, []);
  assert.deepEqual(ignore.object.spec, { containers: [{ name: 'x' }] });
  assert.equal(ignore.object.spec, raw.spec as unknown, 'the input is pruned in place, not copied');
});

test('unknown-field paths name array indexes at any depth, next to nulls that are only dropped', () => {
  const body = {
    metadata: { name: 'a', labels: { app: 'x' }, creationTimestamp: null },
    spec: { containers: [{ name: 'x' }, { name: 'y', ports: [{ containerPort: 80 }, { containerPort: 81, bogus: true }] }] },
    status: { conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, extra: 1 }] },
  };
  const d = decodeObject<Pod>('Pod', body);
  assert.deepEqual(d.warnings, ['unknown field "spec.containers[1].ports[1].bogus"', 'unknown field "status.conditions[0].extra"']);
  assert.deepEqual(d.object.metadata, { name: 'a', labels: { app: 'x' } });
  assert.deepEqual(d.object.status?.conditions, [{ type: 'Ready', status: 'True' }]);
});

test('fields Kubernetes defines but Podling ignores are kept, not pruned', () => {
  const raw = {
    metadata: { name: 'a', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }],
      finalizers: ['x/y'], managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': {} } }] },
    spec: {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
      dnsConfig: { nameservers: ['1.1.1.1'] }, hostAliases: [{ ip: '1.2.3.4', hostnames: ['x'] }],
      readinessGates: [{ conditionType: 'x' }], priorityClassName: 'high', topologySpreadConstraints: [{ maxSkew: 1 }],
      containers: [{ name: 'x', image: 'i', resources: { limits: { cpu: 1, memory: '128Mi' } }, securityContext: { capabilities: { add: ['NET_ADMIN'] } },
        livenessProbe: { httpGet: { port: 'http', path: '/' } } }],
      volumes: [{ name: 'c', configMap: { name: 'cm' } }],
    },
  };
  const { object, warnings } = decodeObject<Pod>('Pod', raw, { fieldValidation: 'Strict' });
  assert.deepEqual(warnings, []);
  assert.deepEqual(object.spec.affinity, raw.spec.affinity);
  assert.deepEqual(object.metadata.managedFields, raw.metadata.managedFields);
  assert.equal(object.spec.containers[0].resources!.limits!.cpu, '1', 'numeric quantities become strings');
});

test('other kinds decode: Node, Namespace, Event, Binding, DeleteOptions', () => {
  assert.equal(decodeObject<any>('Node', { metadata: { name: 'n1' }, status: { capacity: { cpu: '4', pods: '110' } } }).object.status.capacity.cpu, '4');
  assert.equal(decodeObject<any>('Namespace', { metadata: { name: 'ns' } }).object.kind, 'Namespace');
  assert.equal(decodeObject<any>('Event', { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, count: 1 }).object.count, 1);
  assert.equal(decodeObject<any>('Binding', { metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } }).object.target.name, 'n1');
  assert.equal(decodeObject<any>('DeleteOptions', { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', gracePeriodSeconds: 0 }).object.gracePeriodSeconds, 0);
  assert.throws(() => decodeObject('DeleteOptions', { gracePeriodSeconds: 'soon' }), badRequest(/DeleteOptions\.gracePeriodSeconds of type int64$/));
});

test('deeply nested and huge inputs are refused or handled quickly', () => {
  let deep: any = {};
  for (let i = 0; i < 50000; i++) deep = { a: deep };
  assert.throws(() => decodeObject('Pod', { metadata: { name: 'a' }, spec: { affinity: deep } }), badRequest(/maximum nesting depth/));
  const start = Date.now();
  const containers = Array.from({ length: 5000 }, (_, i) => ({ name: `c${i}`, image: 'x', env: [{ name: 'A', value: 'b' }] }));
  decodeObject('Pod', { metadata: { name: 'a' }, spec: { containers } });
  assert.ok(Date.now() - start < 2000);
});

test('a clean body and its dirty variants decode to the same object (fast path and prune path agree)', () => {
  const clean = () => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { generateName: 'web-', labels: { app: 'web' }, annotations: { note: 'x' } },
    spec: {
      restartPolicy: 'Always',
      containers: [{ name: 'app', image: 'busybox', command: ['sleep', '1'], env: [{ name: 'A', value: '1' }],
        resources: { requests: { cpu: '1', memory: '64Mi' } }, ports: [{ containerPort: 80 }] }],
      affinity: { nodeAffinity: { anything: null } },
    },
  });
  const expected = decodeObject('Pod', clean()).object;
  assert.deepEqual(expected, clean(), 'a clean body comes back as it was');
  const dirty: [string, (p: any) => void][] = [
    ['a null field', (p) => { p.spec.nodeName = null; }],
    ['a null inside a list item', (p) => { p.spec.containers[0].workingDir = null; }],
    ['a null map value', (p) => { p.metadata.labels.gone = null; }],
    ['an unknown top-level field', (p) => { p.extra = { a: 1 }; }],
    ['an unknown nested field', (p) => { p.spec.containers[0].ports[0].bogus = true; }],
    ['a quantity sent as a number', (p) => { p.spec.containers[0].resources.requests.cpu = 1; }],
    ['null metadata maps', (p) => { p.metadata.ownerReferences = null; p.status = null; }],
  ];
  for (const [what, mutate] of dirty) {
    const body = clean();
    mutate(body);
    assert.deepEqual(decodeObject('Pod', body).object, expected, what);
  }
});

test('jsonDepth counts nesting (scalars 0) and stops just past the limit', () => {
  assert.equal(jsonDepth(5), 0);
  assert.equal(jsonDepth(null), 0);
  assert.equal(jsonDepth({}), 1);
  assert.equal(jsonDepth([1, 'a']), 1);
  assert.equal(jsonDepth({ a: [{ b: 1 }], c: {} }), 3);
  let deep: any = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(jsonDepth(deep, 10), 11);
  assert.equal(jsonDepth(deep), MAX_JSON_DEPTH + 1);
});
