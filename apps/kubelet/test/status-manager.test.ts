// Pod status writes end as soon as the pod is gone, and agent shutdown never waits on a write that keeps failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError, type PodStatus } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
import { waitFor } from '@podling/testkit';
import { StatusManager, type PodKey } from '../src/status-manager.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } } as never;
const key: PodKey = { uid: 'u1', namespace: 'default', name: 'p' };
const status: PodStatus = { phase: 'Succeeded' };

function failingClient(err: () => Error) {
  let calls = 0;
  const client = { patchStatus: async () => { calls++; throw err(); } } as unknown as KubeClientApi;
  return { client, calls: () => calls };
}

test('issue 14.11: a 403 for a pod the informer no longer has ends its writes at once', async () => {
  const { client, calls } = failingClient(() => new StatusError(403, 'Forbidden', 'pods "p" is forbidden: node "node-a" can only update pods bound to it'));
  const m = new StatusManager(client, quiet, () => false);
  m.set(key, status);
  await waitFor(() => calls() === 1, { timeoutMs: 1000, message: 'first write attempted' });
  const t0 = Date.now();
  await m.flush(key.uid);
  assert.ok(Date.now() - t0 < 100, `flush took ${Date.now() - t0} ms`);
  assert.equal(calls(), 1, 'not retried');
});

test('issue 14.11: a 404 ends the writes; a 403 for a pod that still exists is retried', async () => {
  const gone = failingClient(() => new StatusError(404, 'NotFound', 'pods "p" not found'));
  const m = new StatusManager(gone.client, quiet, () => true);
  m.set(key, status);
  await waitFor(() => gone.calls() === 1, { timeoutMs: 1000, message: 'write attempted' });
  await m.flush(key.uid);
  assert.equal(gone.calls(), 1);

  const denied = failingClient(() => new StatusError(403, 'Forbidden', 'forbidden'));
  const m2 = new StatusManager(denied.client, quiet, () => true);
  m2.set(key, status);
  await waitFor(() => denied.calls() >= 2, { timeoutMs: 2000, message: 'a 403 for an existing pod is retried' });
  m2.stop();
  await m2.flush(key.uid);
});

test('issue 14.11: stop() ends writes that keep failing, so shutdown does not wait for them', async () => {
  const { client, calls } = failingClient(() => new StatusError(500, 'InternalError', 'boom'));
  const m = new StatusManager(client, quiet);
  m.set(key, status);
  await waitFor(() => calls() === 1, { timeoutMs: 1000, message: 'write attempted' });
  m.stop();
  const t0 = Date.now();
  await m.flush(key.uid);
  assert.ok(Date.now() - t0 < 100, `flush after stop took ${Date.now() - t0} ms`);
});
