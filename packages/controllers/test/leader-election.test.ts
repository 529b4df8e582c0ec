// Issue 15: leader election over a Lease in kube-system — one leader at a time; a stopped leader hands over at
// once (ReleaseOnCancel); a leader that cannot renew stops its work within the renew deadline and another takes
// over once the lease expired by the candidate's own clock. Timings are shrunk (lease 600 ms, renew 400, retry 50).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { waitFor } from '@podling/testkit';
import type { KubeClientApi } from '@podling/client';
import { LeaderElector, type Lease } from '../src/leader-election.ts';
import { FakeCluster } from './fake-cluster.ts';

const log = pino({ level: 'silent' });

function candidate(client: KubeClientApi, identity: string) {
  const state = { leading: false, starts: 0, stops: 0, signal: undefined as AbortSignal | undefined };
  const elector = new LeaderElector({
    client, logger: log, identity, leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 50,
    onStartedLeading: (signal) => { state.leading = true; state.starts++; state.signal = signal; },
    onStoppedLeading: () => { state.leading = false; state.stops++; },
  });
  return { elector, state };
}

/** A client whose every call fails while `down` is set (a partitioned control plane), or never answers while
 *  `hung` is set (an apiserver that stopped answering without closing its connections). */
function partitionable(cluster: FakeCluster): KubeClientApi & { down: boolean; hung: boolean } {
  const c = { down: false, hung: false } as KubeClientApi & { down: boolean; hung: boolean };
  for (const verb of ['get', 'create', 'update'] as const) {
    (c as unknown as Record<string, unknown>)[verb] = (...args: unknown[]) =>
      c.hung ? new Promise(() => {})
        : c.down ? Promise.reject(new Error('connection refused')) : (cluster[verb] as (...a: unknown[]) => Promise<unknown>).apply(cluster, args);
  }
  return c;
}

test('one of two candidates leads, holding kube-system/kube-controller-manager', async () => {
  const cluster = new FakeCluster();
  const a = candidate(cluster, 'a'), b = candidate(cluster, 'b');
  a.elector.start(); b.elector.start();
  await waitFor(() => a.state.leading || b.state.leading, { timeoutMs: 3000, message: 'a leader' });
  const lease = await cluster.get<Lease>({ resource: 'leases', namespace: 'kube-system' }, 'kube-controller-manager');
  const leader = a.state.leading ? 'a' : 'b';
  assert.equal(lease.spec?.holderIdentity, leader);
  assert.equal(lease.spec?.leaseDurationSeconds, 1);
  assert.equal(a.state.leading && b.state.leading, false);
  await Promise.all([a.elector.stop(), b.elector.stop()]);
});

test('a leader that stops releases the lease and the other candidate takes over at once', async () => {
  const cluster = new FakeCluster();
  const a = candidate(cluster, 'a');
  a.elector.start();
  await waitFor(() => a.state.leading, { timeoutMs: 3000, message: 'a leads' });
  const b = candidate(cluster, 'b');
  b.elector.start();
  const signal = a.state.signal!;
  await a.elector.stop();
  assert.equal(signal.aborted, true);
  assert.equal(a.state.stops, 1);
  const started = Date.now();
  await waitFor(() => b.state.leading, { timeoutMs: 3000, message: 'b leads' });
  assert.ok(Date.now() - started < 600, 'b did not wait for the lease to expire');
  const lease = await cluster.get<Lease>({ resource: 'leases', namespace: 'kube-system' }, 'kube-controller-manager');
  assert.equal(lease.spec?.leaseTransitions, 1);
  await b.elector.stop();
});

test('a leader cut off from the apiserver stops leading within the renew deadline; the other takes over', async () => {
  const cluster = new FakeCluster();
  const client = partitionable(cluster);
  const a = candidate(client, 'a');
  a.elector.start();
  await waitFor(() => a.state.leading, { timeoutMs: 3000, message: 'a leads' });
  const b = candidate(cluster, 'b');
  b.elector.start();
  client.down = true;
  const cut = Date.now();
  await waitFor(() => !a.state.leading, { timeoutMs: 3000, message: 'a stops leading' });
  assert.ok(Date.now() - cut < 600, `a stopped after ${Date.now() - cut} ms, before the lease could expire`);
  assert.equal(a.state.signal!.aborted, true);
  await waitFor(() => b.state.leading, { timeoutMs: 3000, message: 'b leads' });
  client.down = false;
  await Promise.all([a.elector.stop(), b.elector.stop()]);
  assert.equal(a.state.leading, false);
});

test('issue 16: a leader whose apiserver hangs stops leading within the renew deadline all the same', async () => {
  const cluster = new FakeCluster();
  const client = partitionable(cluster);
  const a = candidate(client, 'a');
  a.elector.start();
  await waitFor(() => a.state.leading, { timeoutMs: 3000, message: 'a leads' });
  client.hung = true;
  const cut = Date.now();
  await waitFor(() => !a.state.leading, { timeoutMs: 3000, message: 'a stops leading' });
  assert.ok(Date.now() - cut < 600, `a stopped after ${Date.now() - cut} ms, before the lease could expire`);
  client.hung = false;
  await a.elector.stop();
});
