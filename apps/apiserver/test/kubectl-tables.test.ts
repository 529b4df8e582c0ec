// Server-side Tables for `kubectl get` (kubectl-wire.md §6): AGE formatting, the Table envelope, includeObject,
// node/namespace/event/default printers and Accept negotiation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeEvent, Node, StatusError } from '@podling/api';
import { humanDuration, nodePrinter, parseIncludeObject, toTable, wantsTable } from '../src/kubectl/index.ts';
import { resourceAt } from '../src/registry/resources.ts';

const served = (apiVersion: string, plural: string) => resourceAt(apiVersion, plural)!;

const NOW = Date.parse('2026-01-01T12:00:00Z');
const S = 1000, M = 60 * S, H = 60 * M, D = 24 * H;

const durations: [number, string][] = [
  [-3 * S, '<invalid>'], [-1500, '0s'], [0, '0s'], [59 * S, '59s'], [119 * S, '119s'], [2 * M, '2m'], [5 * M + 30 * S, '5m30s'],
  [10 * M, '10m'], [179 * M, '179m'], [3 * H, '3h'], [7 * H + 59 * M, '7h59m'], [8 * H, '8h'], [47 * H, '47h'],
  [2 * D, '2d'], [3 * D + 4 * H, '3d4h'], [8 * D, '8d'], [729 * D, '729d'], [2 * 365 * D, '2y'], [3 * 365 * D + 10 * D, '3y10d'],
  [9 * 365 * D, '9y'],
];
for (const [ms, want] of durations) {
  test(`humanDuration renders ${ms} ms as ${want}`, () => assert.equal(humanDuration(ms), want));
}

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '7',
  creationTimestamp: new Date(NOW - 65 * S).toISOString(), labels: { app: 'web' } },
spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Pending' } };

test('a pod list becomes a meta.k8s.io/v1 Table with the list resourceVersion and nine pod columns', () => {
  const t = toTable(served('v1', 'pods'), [pod], { now: NOW, includeObject: 'Metadata', resourceVersion: '1002' });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '1002' });
  assert.deepEqual(t.columnDefinitions?.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]]);
  assert.equal(t.columnDefinitions?.[0].format, 'name');
  assert.deepEqual(t.rows[0].cells, ['web', '0/1', 'Pending', '0', '65s', '<none>', '<none>', '<none>', '<none>']);
});

test('includeObject=Metadata puts PartialObjectMetadata in each row (NAMESPACE for -A, labels for --show-labels)', () => {
  const t = toTable(served('v1', 'pods'), [pod], { now: NOW, includeObject: 'Metadata', resourceVersion: '1' });
  assert.deepEqual(t.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
});

test('includeObject=Object puts the full object with kind and apiVersion in each row (needed by --sort-by)', () => {
  const { kind: _k, apiVersion: _a, ...listItem } = pod;
  const t = toTable(served('v1', 'pods'), [listItem as typeof pod], { now: NOW, includeObject: 'Object', resourceVersion: '1' });
  assert.deepEqual(t.rows[0].object, pod);
  assert.deepEqual(Object.keys(t.rows[0].object!).slice(0, 2), ['kind', 'apiVersion']);
});

test('includeObject=None leaves rows without objects', () => {
  const t = toTable(served('v1', 'pods'), [pod], { now: NOW, includeObject: 'None', resourceVersion: '1' });
  assert.equal('object' in t.rows[0], false);
});

test('watch events after the first may omit column definitions; continue tokens are passed through', () => {
  const t = toTable(served('v1', 'pods'), [pod], { now: NOW, includeObject: 'Metadata', resourceVersion: '9', omitColumnDefinitions: true, continue: 'abc' });
  assert.equal(t.columnDefinitions, null);
  assert.deepEqual(t.metadata, { resourceVersion: '9', continue: 'abc' });
});

function node(over: Partial<Node> = {}, labels: Record<string, string> = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', creationTimestamp: new Date(NOW - 3 * H).toISOString(), labels },
    status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      nodeInfo: { kubeletVersion: 'v1.32.0-podling', osImage: 'Podling', kernelVersion: '6.1', containerRuntimeVersion: 'process://1' } },
    ...over,
  };
}

test('node rows show Ready, roles from node-role labels, version and the wide columns', () => {
  const cells = nodePrinter.row(node({}, { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '' }), NOW).cells;
  assert.deepEqual(cells, ['n1', 'Ready', 'control-plane,worker', '3h', 'v1.32.0-podling', '10.0.0.1', '<none>', 'Podling', '6.1', 'process://1']);
});

const nodeStatuses: [string, Partial<Node>, string][] = [
  ['a Ready=False node is NotReady', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, 'NotReady'],
  ['a Ready=Unknown node is NotReady', { status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }, 'NotReady'],
  ['a node without a Ready condition is Unknown', { status: {} }, 'Unknown'],
  ['a cordoned node adds SchedulingDisabled', { spec: { unschedulable: true } }, 'Ready,SchedulingDisabled'],
];
for (const [name, over, want] of nodeStatuses) {
  test(`node STATUS: ${name}`, () => assert.equal(nodePrinter.row(node(over), NOW).cells[1], want));
}

test('node Table columns match printers.go, priority 1 for the wide ones', () => {
  const t = toTable(served('v1', 'nodes'), [node()], { now: NOW, includeObject: 'Object', resourceVersion: '3' });
  assert.deepEqual(t.columnDefinitions?.map((c) => c.name + (c.priority ? '*' : '')),
    ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*']);
  assert.equal((t.rows[0].object as Node).kind, 'Node');
});

test('namespace rows show Name, Status and Age', () => {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', creationTimestamp: new Date(NOW - 2 * D).toISOString() }, status: { phase: 'Active' } };
  const t = toTable(served('v1', 'namespaces'), [ns], { now: NOW, includeObject: 'None', resourceVersion: '1' });
  assert.deepEqual(t.columnDefinitions?.map((c) => c.name), ['Name', 'Status', 'Age']);
  assert.deepEqual(t.rows[0].cells, ['default', 'Active', '2d']);
});

test('event rows show LAST SEEN, TYPE, REASON, kind/name OBJECT and MESSAGE (plus wide columns)', () => {
  const ev: KubeEvent = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' }, reason: 'Scheduled', message: ' Successfully assigned default/web to n1 ',
    type: 'Normal', source: { component: 'default-scheduler' }, firstTimestamp: new Date(NOW - 10 * M).toISOString(),
    lastTimestamp: new Date(NOW - 30 * S).toISOString(), count: 3 };
  const t = toTable(served('v1', 'events'), [ev], { now: NOW, includeObject: 'Metadata', resourceVersion: '1' });
  assert.deepEqual(t.columnDefinitions?.filter((c) => c.priority === 0).map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
  assert.deepEqual(t.rows[0].cells, ['30s', 'Normal', 'Scheduled', 'pod/web', '', 'default-scheduler',
    'Successfully assigned default/web to n1', '10m', 3, 'web.1']);
});

test('an event without lastTimestamp shows its first time and counts once', () => {
  const ev: KubeEvent = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Node' },
    eventTime: new Date(NOW - 5 * S).toISOString(), reportingComponent: 'kubelet', reportingInstance: 'n1' };
  const cells = toTable(served('v1', 'events'), [ev], { now: NOW, includeObject: 'None', resourceVersion: '1' }).rows[0].cells;
  assert.deepEqual([cells[0], cells[3], cells[5], cells[8]], ['5s', 'node', 'kubelet, n1', 1]);
});

test('leases show their holder', () => {
  const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', creationTimestamp: new Date(NOW - 40 * S).toISOString() },
    spec: { holderIdentity: 'n1' } };
  assert.deepEqual(toTable(served('coordination.k8s.io/v1', 'leases'), [lease], { now: NOW, includeObject: 'None', resourceVersion: '1' }).rows[0].cells, ['n1', 'n1', '40s']);
});

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const accepts: [string | undefined, boolean][] = [
  [TABLE_ACCEPT, true],
  ['application/json;as=Table;v=v1beta1;g=meta.k8s.io', true],
  ['application/json', false],
  ['application/json, */*', false],
  ['application/vnd.kubernetes.protobuf,application/json', false],
  ['application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', false],
  [undefined, false],
];
for (const [accept, want] of accepts) {
  test(`wantsTable is ${want} for Accept ${accept}`, () => assert.equal(wantsTable(accept), want));
}

test('includeObject defaults to Metadata, accepts the three policies and rejects anything else with 400', () => {
  assert.equal(parseIncludeObject({}), 'Metadata');
  assert.equal(parseIncludeObject({ includeObject: 'Object' }), 'Object');
  assert.equal(parseIncludeObject('None'), 'None');
  assert.throws(() => parseIncludeObject({ includeObject: 'All' }), (e: StatusError) =>
    e.status.code === 400 && e.status.message === 'includeObject: Unsupported value: "All": supported values: "Metadata", "None", "Object"');
});
