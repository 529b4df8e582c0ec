// `kubectl create namespace` sends a protobuf body; decodeProtobuf turns it into the JSON object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatusError } from '@podling/api';
import { decodeProtobuf } from '../src/kubectl/protobuf.ts';

// Captured from kubectl 1.32.4: `kubectl create namespace team-a` and `kubectl create configmap cm1 --from-literal=a=b`.
const CREATE_NAMESPACE = '6b3873000a0f0a02763112094e616d657370616365121e0a160a067465616d2d6112001a0022002a0032003800420012001a020a001a002200';
const CREATE_CONFIGMAP = '6b3873000a0f0a0276311209436f6e6669674d6170121d0a130a03636d3112001a0022002a0032003800420012060a01611201621a002200';

// A tiny protobuf encoder for hand-made cases (field numbers from k8s.io/api generated.proto).
const varint = (n: number): number[] => (n < 128 ? [n] : [(n % 128) | 128, ...varint(Math.floor(n / 128))]);
const ld = (n: number, payload: number[]) => [...varint(n * 8 + 2), ...varint(payload.length), ...payload];
const s = (n: number, v: string) => ld(n, [...Buffer.from(v)]);
const vi = (n: number, v: number) => [...varint(n * 8), ...varint(v)];
const envelope = (apiVersion: string, kind: string, raw: number[]) =>
  Buffer.from([0x6b, 0x38, 0x73, 0x00, ...ld(1, [...s(1, apiVersion), ...s(2, kind)]), ...ld(2, raw)]);

test('the namespace kubectl create namespace sends decodes to its JSON shape, empty scalars omitted', () => {
  assert.deepEqual(decodeProtobuf(Buffer.from(CREATE_NAMESPACE, 'hex')), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
});

test('labels, annotations, finalizers, owner references, timestamps, spec and status are decoded', () => {
  const meta = [
    ...s(1, 'ns1'), ...vi(7, 3), ...ld(8, vi(1, 1_700_000_000)),
    ...ld(11, [...s(1, 'team'), ...s(2, 'a')]), ...ld(11, [...s(1, 'empty'), ...s(2, '')]),
    ...ld(12, [...s(1, 'note'), ...s(2, 'hi')]),
    ...ld(13, [...s(1, 'Thing'), ...s(3, 'owner'), ...s(4, 'u-1'), ...s(5, 'v1'), ...vi(6, 1)]),
    ...s(14, 'example.com/f'),
  ];
  const raw = [...ld(1, meta), ...ld(2, s(1, 'kubernetes')), ...ld(3, s(1, 'Active'))];
  assert.deepEqual(decodeProtobuf(envelope('v1', 'Namespace', raw)), {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: {
      name: 'ns1', generation: 3, creationTimestamp: '2023-11-14T22:13:20Z', labels: { team: 'a', empty: '' }, annotations: { note: 'hi' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Thing', name: 'owner', uid: 'u-1', controller: true }], finalizers: ['example.com/f'],
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
});

const rejected: [string, Buffer, RegExp][] = [
  ['a kind without a decoder', Buffer.from(CREATE_CONFIGMAP, 'hex'), /accepted only for v1\/Namespace, not v1\/ConfigMap; send application\/json/],
  ['a body without the k8s envelope', Buffer.from('{"kind":"Namespace"}'), /does not start with the k8s/],
  ['a truncated body', Buffer.from(CREATE_NAMESPACE.slice(0, 40), 'hex'), /could not be decoded/],
];
for (const [name, body, message] of rejected) {
  test(`decodeProtobuf answers 415 UnsupportedMediaType for ${name}`, () => {
    assert.throws(() => decodeProtobuf(body), (e: StatusError) => e.status.code === 415 && e.status.reason === 'UnsupportedMediaType' && message.test(e.status.message ?? ''));
  });
}
