// Issue 15: kubectl's typed clients send protobuf bodies; decodeProtobuf turns any served kind into its JSON object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatusError } from '@podling/api';
import { decodeProtobuf } from '../src/kubectl/protobuf/decode-protobuf.ts';
import { RESOURCES } from '../src/registry/resources.ts';

// Captured from kubectl 1.32.4: `create namespace team-a`, `create configmap cm1 --from-literal=a=b`,
// `create deployment web --image=busybox --replicas=2 -- sleep 3600`, `create job jj --image=busybox -- echo hi`,
// `create cronjob cc --image=busybox --schedule='*/5 * * * *' -- date`, `auth can-i create pods`.
const CREATE_NAMESPACE = '6b3873000a0f0a02763112094e616d657370616365121e0a160a067465616d2d6112001a0022002a0032003800420012001a020a001a002200';
const CREATE_CONFIGMAP = '6b3873000a0f0a0276311209436f6e6669674d6170121d0a130a03636d3112001a0022002a0032003800420012060a01611201621a002200';
const CREATE_DEPLOYMENT = '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412bd010a1f0a0377656212001a0022002a003200380042005a0a0a036170701203776562128b010802120c0a0a0a0361707012037765621a710a1c0a0012001a0022002a003200380042005a0a0a036170701203776562125112330a0762757379626f78120762757379626f781a05736c6565701a04333630302a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200';
const CREATE_JOB = '6b3873000a0f0a0862617463682f763112034a6f621284010a120a026a6a12001a0022002a00320038004200126432620a100a0012001a0022002a00320038004200124e122b0a026a6a120762757379626f781a046563686f1a0268692a0042006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c201001a082000280030003a001a002200';
const CREATE_CRONJOB = '6b3873000a130a0862617463682f7631120743726f6e4a6f6212a4010a120a02636312001a0022002a00320038004200128b010a0b2a2f35202a202a202a202a1a002a7a0a120a02636312001a0022002a00320038004200126432620a100a0012001a0022002a00320038004200124e12270a026363120762757379626f781a04646174652a0042006a007200800100880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c201001a001a002200';
const CAN_I = '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123f0a100a0012001a0022002a0032003800420012210a1f0a0764656661756c7412066372656174651a0022002a04706f647332003a001a08080012001a0020001a002200';

// A tiny protobuf encoder for hand-made cases, independent of the codec (field numbers from k8s.io/api types.go tags).
const varint = (n: bigint): number[] => (n < 128n ? [Number(n)] : [Number(n % 128n) | 128, ...varint(n / 128n)]);
const ld = (n: number, payload: number[]) => [...varint(BigInt(n * 8 + 2)), ...varint(BigInt(payload.length)), ...payload];
const s = (n: number, v: string) => ld(n, [...Buffer.from(v)]);
const vi = (n: number, v: number) => [...varint(BigInt(n * 8)), ...varint(BigInt.asUintN(64, BigInt(v)))];
const envelope = (apiVersion: string, kind: string, raw: number[]) =>
  Buffer.from([0x6b, 0x38, 0x73, 0x00, ...ld(1, [...s(1, apiVersion), ...s(2, kind)]), ...ld(2, raw)]);
const decodeHex = (hex: string) => decodeProtobuf(Buffer.from(hex, 'hex'));

const container = (name: string, command: string[]) => ({ name, image: 'busybox', command, resources: {} });

test('what kubectl create deployment|job|cronjob and auth can-i send decodes to the JSON kubectl would send', () => {
  assert.deepEqual(decodeHex(CREATE_DEPLOYMENT), {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'web' } }, strategy: {},
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container('busybox', ['sleep', '3600'])] } },
    },
    status: {},
  });
  assert.deepEqual(decodeHex(CREATE_JOB), {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'jj' },
    spec: { template: { metadata: {}, spec: { containers: [container('jj', ['echo', 'hi'])], restartPolicy: 'Never' } } }, status: {},
  });
  const cron = decodeHex(CREATE_CRONJOB) as unknown as { spec: { schedule: string; jobTemplate: { spec: { template: { spec: unknown } } } } };
  assert.equal(cron.spec.schedule, '*/5 * * * *');
  assert.deepEqual(cron.spec.jobTemplate.spec.template.spec, { containers: [container('cc', ['date'])], restartPolicy: 'OnFailure' });
  assert.deepEqual(decodeHex(CAN_I), {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {},
    spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } }, status: {},
  });
  assert.deepEqual(decodeHex(CREATE_NAMESPACE), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' }, spec: {}, status: {} });
});

test('pointer zeros are kept, plain zeros and empty strings dropped, repeated empty strings kept', () => {
  const spec = [...vi(1, 0), ...vi(5, 0), ...ld(3, ld(2, ld(2, [...s(1, 'c'), ...s(4, ''), ...s(4, 'x')]))), ...vi(6, -1)];
  assert.deepEqual((decodeProtobuf(envelope('apps/v1', 'Deployment', [...ld(1, s(2, '')), ...ld(2, spec)])) as unknown as { spec: unknown }).spec,
    { replicas: 0, revisionHistoryLimit: -1, template: { spec: { containers: [{ name: 'c', args: ['', 'x'] }] } } });
});

test('int-or-string, quantities, inlined volume sources, times and raw extensions take their JSON forms', () => {
  const rolling = ld(4, [...s(1, 'RollingUpdate'), ...ld(2, [...ld(1, [...vi(1, 0), ...vi(2, 2)]), ...ld(2, [...vi(1, 1), ...s(3, '50%')])])]);
  const resources = ld(8, [...ld(1, [...s(1, 'memory'), ...ld(2, s(1, '64Mi'))]), ...ld(2, [...s(1, 'cpu'), ...ld(2, s(1, '250m'))])]);
  const volume = ld(1, [...s(1, 'data'), ...ld(2, ld(2, s(1, 'Memory')))]);
  const probe = ld(10, [...ld(1, ld(2, [...s(1, '/healthz'), ...ld(2, vi(2, 8080))])), ...vi(4, 5)]);
  const podSpec = [...volume, ...ld(2, [...s(1, 'c'), ...resources, ...probe])];
  const meta = ld(1, [...s(1, 'd'), ...ld(8, vi(1, 1_700_000_000))]);
  const d = decodeProtobuf(envelope('apps/v1', 'Deployment', [...meta, ...ld(2, [rolling, ld(3, ld(2, podSpec))].flat())]));
  assert.deepEqual(d, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', creationTimestamp: '2023-11-14T22:13:20Z' },
    spec: {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: '50%' } },
      template: { spec: {
        volumes: [{ name: 'data', emptyDir: { medium: 'Memory' } }],
        containers: [{ name: 'c', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
          livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 } }],
      } },
    },
  });
  const lease = decodeProtobuf(envelope('coordination.k8s.io/v1', 'Lease', [...ld(1, s(1, 'l')), ...ld(2, [...s(1, 'me'), ...ld(4, [...vi(1, 1_700_000_000), ...vi(2, 123_456_789)])])]));
  assert.deepEqual((lease as unknown as { spec: unknown }).spec, { holderIdentity: 'me', renewTime: '2023-11-14T22:13:20.123456Z' });
  const revision = decodeProtobuf(envelope('apps/v1', 'ControllerRevision', [...ld(1, s(1, 'r')), ...ld(2, s(1, '{"spec":{"a":1}}')), ...vi(3, 2)]));
  assert.deepEqual(revision, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, data: { spec: { a: 1 } }, revision: 2 });
});

test('every served kind decodes', () => {
  for (const r of RESOURCES) {
    const obj = decodeProtobuf(envelope(r.apiVersion, r.kind, ld(1, s(1, 'x'))));
    assert.deepEqual(obj, { apiVersion: r.apiVersion, kind: r.kind, metadata: { name: 'x' } }, r.kind);
  }
});

test('a kind no route serves comes back as its type alone, for the route to answer 404 as it would for JSON', () => {
  assert.deepEqual(decodeHex(CREATE_CONFIGMAP), { apiVersion: 'v1', kind: 'ConfigMap' });
});

const rejected: [string, Buffer, number, RegExp][] = [
  ['a body without the k8s envelope as 415', Buffer.from('{"kind":"Namespace"}'), 415, /does not start with the k8s/],
  ['a truncated body as 400', Buffer.from(CREATE_DEPLOYMENT.slice(0, 120), 'hex'), 400, /could not be decoded/],
  ['a truncated object as 400', envelope('v1', 'Pod', [0x0a, 0x05, 0x0a]), 400, /the protobuf Pod could not be decoded/],
];
for (const [name, body, code, message] of rejected) {
  test(`decodeProtobuf answers ${name}`, () => {
    assert.throws(() => decodeProtobuf(body), (e: StatusError) => e.status.code === code && message.test(e.status.message ?? ''));
  });
}
