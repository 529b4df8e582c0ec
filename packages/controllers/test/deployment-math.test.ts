// Issue 15: the Deployment rollout arithmetic, table-driven against Kubernetes' documented numbers
// (reference: k/k pkg/controller/deployment/util/deployment_util.go and the Deployment docs' worked examples).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fenceposts, newRSReplicas, oldReplicaSetScaleDown, proportionalScale } from '../src/deployment-math.ts';
import { computeHash } from '../src/template-hash.ts';
import type { Deployment, ReplicaSet } from '../src/workload-types.ts';

function dep(replicas: number, maxSurge?: number | string, maxUnavailable?: number | string): Deployment {
  return {
    metadata: { name: 'd', namespace: 'default' },
    spec: { replicas, selector: {}, template: { spec: { containers: [] } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } },
  } as Deployment;
}
function rs(name: string, replicas: number, available: number, ageMin = 0, annotations: Record<string, string> = {}): ReplicaSet {
  return { metadata: { name, annotations, creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, ageMin)).toISOString() }, spec: { replicas, selector: {}, template: { spec: { containers: [] } } }, status: { replicas, availableReplicas: available } } as ReplicaSet;
}

test('25%/25% resolve to surge rounded up and unavailable rounded down; 0/0 becomes unavailable 1', () => {
  assert.deepEqual([1, 3, 4, 10].map((n) => fenceposts(dep(n))), [[1, 0], [1, 0], [1, 1], [3, 2]]);
  assert.deepEqual(fenceposts(dep(3, 0, 0)), [0, 1]);
  assert.deepEqual(fenceposts(dep(10, 2, '30%')), [2, 3]);
});

test('the new RS grows up to replicas + maxSurge in total', () => {
  const d = dep(10);
  const old = rs('old', 10, 10), fresh = rs('new', 0, 0);
  assert.equal(newRSReplicas(d, [old, fresh], fresh), 3);
  assert.equal(newRSReplicas(d, [rs('old', 8, 8), rs('new', 5, 0)], rs('new', 5, 0)), 5, 'total 13 already');
});

test('old RSs shrink only as far as availability allows: replicas − maxUnavailable stay available', () => {
  const d = dep(10);
  const old = rs('old', 10, 10), fresh = rs('new', 3, 0);
  // min available 8; Σ 13 − 8 − 3 unavailable new = 2.
  assert.deepEqual(oldReplicaSetScaleDown(d, [old], fresh).map((s) => s.to), [8]);
  assert.deepEqual(oldReplicaSetScaleDown(d, [rs('old', 8, 8)], rs('new', 5, 0)), [], 'new pods not available yet');
});

test('unavailable pods of old RSs go first, oldest RS first', () => {
  const d = dep(4, 1, 1);
  const older = rs('older', 2, 0, 0), old = rs('old', 2, 2, 1), fresh = rs('new', 1, 1, 2);
  const steps = oldReplicaSetScaleDown(d, [old, older], fresh);
  assert.equal(steps[0].rs.metadata.name, 'older');
  assert.equal(steps[0].to, 0);
});

test('proportional scaling: replicas 10, maxSurge 3, old 8 / new 5, scaled to 15 → old 11, new 7 (Kubernetes docs example)', () => {
  const d = dep(15, 3, 2);
  const old = rs('old', 8, 8, 0, { 'deployment.kubernetes.io/max-replicas': '13' });
  const fresh = rs('new', 5, 0, 1, { 'deployment.kubernetes.io/max-replicas': '13' });
  const steps = proportionalScale(d, [old, fresh], 13);
  assert.deepEqual(Object.fromEntries(steps.map((s) => [s.rs.metadata.name, s.to])), { old: 11, new: 7 });
});

test('the template hash is stable, in the safe alphabet, and changes with the template or the collision count', () => {
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } };
  const h = computeHash(t);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(computeHash(structuredClone(t)), h);
  assert.notEqual(computeHash({ ...t, spec: { containers: [{ name: 'web', image: 'web:2' }] } }), h);
  assert.notEqual(computeHash(t, 1), h);
});
