// Pod GC's pure choice of which terminated pods to remove.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodPhase } from '@podling/api';
import { terminatedPodsToCollect } from '../src/pod-gc.ts';

function pod(name: string, phase: PodPhase, created: string): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', creationTimestamp: created },
    spec: { containers: [{ name: 'c' }] }, status: { phase },
  };
}

test('terminated pods beyond the threshold are collected oldest first; running pods never are', () => {
  const pods = [
    pod('new-done', 'Succeeded', '2024-01-03T00:00:00Z'),
    pod('old-running', 'Running', '2024-01-01T00:00:00Z'),
    pod('old-failed', 'Failed', '2024-01-01T00:00:00Z'),
    pod('mid-done', 'Succeeded', '2024-01-02T00:00:00Z'),
  ];
  assert.deepEqual(terminatedPodsToCollect(pods, 1).map((p) => p.metadata.name), ['old-failed', 'mid-done']);
  assert.deepEqual(terminatedPodsToCollect(pods, 3), []);
});

test('a threshold of 0 disables terminated-pod collection', () => {
  assert.deepEqual(terminatedPodsToCollect([pod('a', 'Failed', '2024-01-01T00:00:00Z')], 0), []);
});
