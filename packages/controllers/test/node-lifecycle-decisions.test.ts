// The node lifecycle controller's pure decisions: staleness by our own clock, Unknown conditions, taints,
// pods marked not ready, and when the taint-eviction controller deletes a pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, NodeCondition, Pod, Taint, Toleration } from '@podling/api';
import {
  evictionTime, fullyDisruptedZones, isStale, notReadyPodConditions, observe, reconcileTaints, unknownConditions,
} from '../src/node-health.ts';

const T0 = Date.parse('2024-05-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function node(o: { heartbeat?: string; ready?: NodeCondition['status']; taints?: Taint[]; conditions?: NodeCondition[] } = {}): Node {
  const conditions = o.conditions ?? [
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: o.heartbeat },
    { type: 'Ready', status: o.ready ?? 'True', reason: 'KubeletReady', lastHeartbeatTime: o.heartbeat },
  ];
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', creationTimestamp: iso(T0 - 60_000) }, spec: { taints: o.taints }, status: { conditions } };
}

function pod(tolerations?: Toleration[]): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c' }], nodeName: 'n1', tolerations },
    status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }] },
  };
}

test('a node is judged by when we saw its heartbeat change, not by the timestamp it wrote', () => {
  // The node's clock is an hour behind: its heartbeat value is old, but we just saw it.
  let obs = observe(undefined, node({ heartbeat: iso(T0 - 3_600_000) }), T0);
  assert.equal(isStale(obs, T0 + 39_000, 40_000), false);
  // The same value seen again does not restart the clock.
  obs = observe(obs, node({ heartbeat: iso(T0 - 3_600_000) }), T0 + 30_000);
  assert.equal(isStale(obs, T0 + 41_000, 40_000), true);
  // A new value does.
  obs = observe(obs, node({ heartbeat: iso(T0 - 3_590_000) }), T0 + 41_000);
  assert.equal(isStale(obs, T0 + 80_000, 40_000), false);
});

test('a renewed node Lease counts as a heartbeat even when the status is unchanged', () => {
  const n = node({ heartbeat: iso(T0) });
  let obs = observe(undefined, n, T0, iso(T0));
  obs = observe(obs, n, T0 + 30_000, iso(T0 + 30_000));
  assert.equal(isStale(obs, T0 + 60_000, 40_000), false);
  assert.equal(isStale(obs, T0 + 70_001, 40_000), true);
});

test('a node that never reported counts from when the controller first saw it', () => {
  const obs = observe(undefined, node({ conditions: [] }), T0);
  assert.equal(isStale(obs, T0 + 40_000, 40_000), false);
  assert.equal(isStale(obs, T0 + 40_001, 40_000), true);
});

test('a silent node gets every kubelet condition Unknown, heartbeats kept', () => {
  const conditions = unknownConditions(node({ heartbeat: iso(T0) }), T0 + 50_000)!;
  const ready = conditions.find((c) => c.type === 'Ready')!;
  assert.deepEqual(
    { status: ready.status, reason: ready.reason, message: ready.message, hb: ready.lastHeartbeatTime, lt: ready.lastTransitionTime },
    { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', hb: iso(T0), lt: iso(T0 + 50_000) },
  );
  assert.equal(conditions.find((c) => c.type === 'MemoryPressure')!.status, 'Unknown');
  const never = conditions.find((c) => c.type === 'DiskPressure')!;
  assert.deepEqual([never.status, never.reason, never.message], ['Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.']);
  assert.equal(conditions.length, 4);
  // Already Unknown everywhere → nothing to write.
  assert.equal(unknownConditions({ ...node(), status: { conditions } }, T0 + 55_000), undefined);
});

test('a node that never reported gets NodeStatusNeverUpdated on Ready', () => {
  const ready = unknownConditions(node({ conditions: [] }), T0)!.find((c) => c.type === 'Ready')!;
  assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.']);
});

test('Ready Unknown adds the unreachable NoSchedule and NoExecute taints with timeAdded; other taints stay', () => {
  const mine: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const taints = reconcileTaints(node({ ready: 'Unknown', taints: [mine] }), T0)!;
  assert.deepEqual(taints, [
    mine,
    { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: iso(T0) },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0) },
  ]);
  assert.equal(reconcileTaints(node({ ready: 'Unknown', taints }), T0 + 5_000), undefined, 'stable: timeAdded kept');
});

test('Ready True again removes the unreachable taints; Ready False swaps them for not-ready', () => {
  const unreachable: Taint[] = [
    { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: iso(T0) },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0) },
  ];
  assert.deepEqual(reconcileTaints(node({ ready: 'True', taints: unreachable }), T0), []);
  assert.deepEqual(reconcileTaints(node({ ready: 'False', taints: unreachable }), T0)!.map((t) => `${t.key}:${t.effect}`),
    ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);
  assert.equal(reconcileTaints(node({ ready: 'True' }), T0), undefined);
});

test('pods on a node that is not Ready are marked Ready=False once', () => {
  const conditions = notReadyPodConditions(pod(), T0)!;
  assert.deepEqual(conditions.find((c) => c.type === 'Ready'), { type: 'Ready', status: 'False', lastTransitionTime: iso(T0) });
  assert.equal(conditions.find((c) => c.type === 'PodScheduled')!.status, 'True');
  const already = pod();
  already.status!.conditions = conditions;
  assert.equal(notReadyPodConditions(already, T0 + 1000), undefined);
});

test('eviction time follows the pod\'s toleration for the NoExecute taint, else the default timeout', () => {
  const tainted = node({ ready: 'Unknown', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0) }] });
  const now = T0 + 1_000;
  assert.equal(evictionTime(pod(), tainted, now, 300_000), T0 + 300_000, 'no toleration: --pod-eviction-timeout');
  assert.equal(evictionTime(pod([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }]), tainted, now, 300_000), T0 + 10_000);
  assert.equal(evictionTime(pod([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 0 }]), tainted, now, 300_000), T0);
  assert.equal(evictionTime(pod([{ operator: 'Exists' }]), tainted, now, 300_000), Infinity, 'tolerated forever');
  assert.equal(evictionTime(pod(), node({ ready: 'True' }), now, 300_000), Infinity, 'no NoExecute taint');
});

test('an untolerated custom NoExecute taint evicts at once', () => {
  const tainted = node({ taints: [{ key: 'maintenance', effect: 'NoExecute', timeAdded: iso(T0) }] });
  assert.equal(evictionTime(pod(), tainted, T0 + 500, 300_000), T0 + 500);
});

test('a zone with no Ready node is in full disruption; one Ready node, or another zone, keeps it normal', () => {
  const inZone = (ready: NodeCondition['status'], zone?: string) => {
    const n = node({ ready });
    n.metadata.labels = zone ? { 'topology.kubernetes.io/zone': zone } : undefined;
    return n;
  };
  assert.deepEqual([...fullyDisruptedZones([inZone('Unknown'), inZone('Unknown')])], ['']);
  assert.deepEqual([...fullyDisruptedZones([inZone('Unknown'), inZone('True')])], []);
  assert.deepEqual([...fullyDisruptedZones([inZone('Unknown', 'a'), inZone('True', 'b')])], ['a']);
  assert.deepEqual([...fullyDisruptedZones([])], []);
});

test('in full disruption a silent node gets only the NoSchedule taint, and a NoExecute one it had is removed', () => {
  assert.deepEqual(reconcileTaints(node({ ready: 'Unknown' }), T0, false),
    [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: iso(T0) }]);
  const both: Taint[] = [
    { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: iso(T0) },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0) },
  ];
  assert.deepEqual(reconcileTaints(node({ ready: 'Unknown', taints: both }), T0 + 1_000, false), [both[0]]);
});
