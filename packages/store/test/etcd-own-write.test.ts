// The etcd backend serializes its own writes once (etcd-own-write.ts): the value sent to etcd and the watch cache's
// copy must be byte for byte what JSON.stringify and stamp() make, whatever the object holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@podling/api';
import { OwnWrite } from '../src/etcd-own-write.ts';
import { stamp } from '../src/stamp.ts';
import { sameVersion } from './contract/harness.ts';

const cases: [string, KubeObject][] = [
  ['a pod whose annotations and spec mimic the field', {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'a', namespace: 'default', annotations: { resourceVersion: '7', note: '"resourceVersion":"\u0000"' } },
    spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'resourceVersion', value: '\u0000' }] }] },
  } as unknown as KubeObject],
  ['metadata with no other field', { apiVersion: 'v1', kind: 'Namespace', metadata: {} } as KubeObject],
  ['metadata first, non-ASCII text', { metadata: { name: 'b', labels: { x: 'é✓' } }, kind: 'ConfigMap', apiVersion: 'v1' } as KubeObject],
];

for (const [name, obj] of cases) {
  test(`etcd own write, ${name}: etcd's value is the JSON without resourceVersion, the cached copy is stamp()'s`, () => {
    const w = new OwnWrite('pods', obj);
    assert.equal(w.value.toString('utf8'), JSON.stringify(obj));
    const stored = w.stored(42);
    sameVersion(stored, stamp('pods', obj, 42));
    assert.equal(JSON.stringify(stored.object), stored.json);
  });
}
