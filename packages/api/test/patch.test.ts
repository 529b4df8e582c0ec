import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, isStatusError, type KubeObject } from '../src/index.ts';

const code = (n: number) => (e: unknown) => isStatusError(e) && e.code === n;

test('JSON patch operations (RFC 6902)', () => {
  const doc = { a: { b: [1, 2], 'x/y': 1, 't~': 2 } };
  const cases: [string, unknown[], unknown][] = [
    ['add to an object', [{ op: 'add', path: '/a/c', value: 3 }], { a: { b: [1, 2], 'x/y': 1, 't~': 2, c: 3 } }],
    ['add with "-" appends', [{ op: 'add', path: '/a/b/-', value: 3 }], { a: { b: [1, 2, 3], 'x/y': 1, 't~': 2 } }],
    ['add inserts at an index', [{ op: 'add', path: '/a/b/0', value: 0 }], { a: { b: [0, 1, 2], 'x/y': 1, 't~': 2 } }],
    ['remove with ~1 and ~0 escapes', [{ op: 'remove', path: '/a/x~1y' }, { op: 'remove', path: '/a/t~0' }], { a: { b: [1, 2] } }],
    ['replace', [{ op: 'replace', path: '/a/b/1', value: 9 }], { a: { b: [1, 9], 'x/y': 1, 't~': 2 } }],
    ['move', [{ op: 'move', from: '/a/b', path: '/b' }], { a: { 'x/y': 1, 't~': 2 }, b: [1, 2] }],
    ['copy', [{ op: 'copy', from: '/a/b/0', path: '/c' }], { a: { b: [1, 2], 'x/y': 1, 't~': 2 }, c: 1 }],
    ['a passing test', [{ op: 'test', path: '/a/b', value: [1, 2] }], doc],
  ];
  for (const [name, ops, want] of cases) assert.deepEqual(applyJsonPatch(doc, ops), want, name);
  assert.deepEqual(doc, { a: { b: [1, 2], 'x/y': 1, 't~': 2 } }, 'the input is not mutated');
});

test('JSON patch errors: malformed → 400, not applicable → 422', () => {
  assert.throws(() => applyJsonPatch({}, { op: 'add' }), code(400));
  assert.throws(() => applyJsonPatch({}, [{ op: 'frobnicate', path: '/a' }]), code(400));
  assert.throws(() => applyJsonPatch({}, [{ op: 'add', path: '/a' }]), code(400));
  assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]), code(422));
  assert.throws(() => applyJsonPatch({}, [{ op: 'remove', path: '/missing' }]), code(422));
  assert.throws(() => applyJsonPatch({}, [{ op: 'replace', path: '/a/b', value: 1 }]), code(422));
  assert.throws(() => applyJsonPatch({ a: [] }, [{ op: 'add', path: '/a/5', value: 1 }]), code(422));
});

test('merge patch (RFC 7386): maps merge, null deletes, lists replace', () => {
  const doc = { metadata: { labels: { a: '1', b: '2' } }, spec: { list: [1, 2] } };
  assert.deepEqual(applyMergePatch(doc, { metadata: { labels: { a: null, c: '3' } }, spec: { list: [3] } }),
    { metadata: { labels: { b: '2', c: '3' } }, spec: { list: [3] } });
  assert.deepEqual(doc.metadata.labels, { a: '1', b: '2' }, 'the input is not mutated');
  const patch = { spec: { list: [3] } };
  const out = applyMergePatch(doc, patch) as typeof doc;
  out.spec.list.push(4);
  assert.deepEqual(patch.spec.list, [3], 'the result holds copies of the patch, so a retried update applies it unchanged');
  assert.notEqual(out.spec, doc.spec, 'a map the patch reaches is copied, not changed in place');
  assert.equal(out.metadata, doc.metadata, 'a subtree the patch does not reach is shared, as documented');
});

function live(): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'myapp-pod', labels: { app: 'myapp', tier: 'web' }, finalizers: ['a'] },
    spec: {
      containers: [
        { name: 'myapp-container', image: 'busybox', command: ['sh', '-c', 'echo Hello && sleep 3600'], env: [{ name: 'X', value: '1' }] },
        { name: 'sidecar', image: 'busybox', ports: [{ containerPort: 80, protocol: 'TCP' }] },
      ],
      tolerations: [{ key: 'a', operator: 'Exists' }],
    },
    status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] },
  };
}
const smp = (patch: unknown, doc = live()) => applyStrategicMergePatch(doc, patch, 'Pod') as any;

test('strategic merge: the kubectl apply patches of kubectl-wire §5', () => {
  const r1 = smp({ metadata: { labels: { tier: null } }, spec: { '$setElementOrder/containers': [{ name: 'myapp-container' }, { name: 'sidecar' }],
    containers: [{ env: [{ name: 'A', value: '1' }], image: 'busybox:1.36', name: 'myapp-container' }, { image: 'busybox', name: 'sidecar' }] } });
  assert.deepEqual(r1.metadata.labels, { app: 'myapp' });
  assert.equal(r1.spec.containers[0].image, 'busybox:1.36');
  assert.deepEqual(r1.spec.containers[0].env, [{ name: 'X', value: '1' }, { name: 'A', value: '1' }]);
  assert.deepEqual(r1.spec.containers[0].command, ['sh', '-c', 'echo Hello && sleep 3600']);
  assert.ok(!('$setElementOrder/containers' in r1.spec), 'directives are never stored');

  const r2 = smp({ spec: { containers: [{ env: null, image: 'busybox', name: 'myapp-container' }, { $patch: 'delete', name: 'sidecar' }] } });
  assert.deepEqual(r2.spec.containers, [{ name: 'myapp-container', image: 'busybox', command: ['sh', '-c', 'echo Hello && sleep 3600'] }]);
});

test('strategic merge: list strategies and directives', () => {
  const cases: [string, unknown, (r: any) => void][] = [
    ['a new container is appended', { spec: { containers: [{ name: 'c3', image: 'x' }] } }, (r) => assert.deepEqual(r.spec.containers.map((c: any) => c.name), ['myapp-container', 'sidecar', 'c3'])],
    ['$setElementOrder reorders', { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'myapp-container' }] } }, (r) => assert.deepEqual(r.spec.containers.map((c: any) => c.name), ['sidecar', 'myapp-container'])],
    ['ports merge by containerPort', { spec: { containers: [{ name: 'sidecar', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 81 }] }] } },
      (r) => assert.deepEqual(r.spec.containers[1].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 81 }])],
    ['tolerations are replaced', { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } }, (r) => assert.deepEqual(r.spec.tolerations, [{ key: 'b', operator: 'Exists' }])],
    ['conditions merge by type', { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, (r) => assert.deepEqual(r.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }])],
    ['finalizers merge as a set', { metadata: { finalizers: ['a', 'b'] } }, (r) => assert.deepEqual(r.metadata.finalizers, ['a', 'b'])],
    ['$deleteFromPrimitiveList removes finalizers', { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, (r) => assert.deepEqual(r.metadata.finalizers, [])],
    ['$patch: replace on a list', { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } }, (r) => assert.deepEqual(r.spec.containers, [{ name: 'only', image: 'x' }])],
    ['$patch: replace on a map', { metadata: { labels: { x: 'y', $patch: 'replace' } } }, (r) => assert.deepEqual(r.metadata.labels, { x: 'y' })],
    ['$patch: delete on a map', { status: { $patch: 'delete' } }, (r) => assert.equal(r.status, undefined)],
    ['$retainKeys clears other keys', { spec: { containers: [{ name: 'sidecar', $retainKeys: ['name', 'image'], image: 'y' }] } }, (r) => assert.deepEqual(r.spec.containers[1], { name: 'sidecar', image: 'y' })],
  ];
  for (const [name, patch, check] of cases) {
    const doc = live();
    const before = structuredClone(doc);
    check(smp(patch, doc));
    assert.deepEqual(doc, before, `${name}: input not mutated`);
  }
});

test('node taints are replaced, addresses merge by type', () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] },
    status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'n1' }] } } as KubeObject;
  const r = applyStrategicMergePatch(node, { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] } }, 'Node') as any;
  assert.deepEqual(r.spec.taints, [{ key: 'b', effect: 'NoExecute' }]);
  assert.deepEqual(r.status.addresses, [{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'Hostname', address: 'n1' }]);
});

test('patch bombs and malformed strategic patches are 400s', () => {
  let bomb: any = {};
  for (let i = 0; i < 100000; i++) bomb = { a: bomb };
  assert.throws(() => applyStrategicMergePatch(live(), bomb, 'Pod'), code(400));
  assert.throws(() => applyMergePatch({}, bomb), code(400));
  let list: any = [];
  for (let i = 0; i < 100000; i++) list = [list];
  assert.throws(() => applyJsonPatch({}, [{ op: 'add', path: '/a', value: list }]), code(400));
  assert.throws(() => applyStrategicMergePatch(live(), [1], 'Pod'), code(400));
  assert.throws(() => applyStrategicMergePatch(live(), { spec: { containers: [{ image: 'x' }] } }, 'Pod'), code(400));
  assert.throws(() => applyStrategicMergePatch(live(), { metadata: { $patch: 'bogus' } }, 'Pod'), code(400));
});
