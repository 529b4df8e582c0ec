// Events give way to pod status writes: they wait while statuses are pending, and go out once none are (or once
// the oldest has waited MAX_YIELD_MS, so a node whose statuses never settle still reports events).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClientApi } from '@podling/client';
import { waitFor } from '@podling/testkit';
import { EventRecorder, type EventYield } from '../src/event-recorder.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } } as never;

function recorder(yieldTo: EventYield) {
  const sent: string[] = [];
  const client = { create: async (_ref: unknown, ev: { reason: string }) => { sent.push(ev.reason); return ev; } } as unknown as KubeClientApi;
  return { events: new EventRecorder(client, 'node-a', quiet, yieldTo), sent };
}

const target = { namespace: 'default', name: 'p', uid: 'u1' };

test('events wait while pod statuses are being written and are sent once none are pending', async () => {
  let idle: (() => void) | undefined;
  const status = { busy: true, onIdle(cb: () => void) { idle = cb; } };
  const { events, sent } = recorder(status);
  events.normal(target, 'Created', 'Created container app');
  events.normal(target, 'Started', 'Started container app');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(sent, []);
  status.busy = false;
  idle!();
  await waitFor(() => sent.length === 2, { timeoutMs: 1000, message: 'events sent after the status writes' });
  assert.deepEqual(sent, ['Created', 'Started']);
});

test('events do not wait forever for statuses that never settle', async () => {
  const { events, sent } = recorder({ busy: true, onIdle() {} });
  const t0 = Date.now();
  events.warning(target, 'BackOff', 'Back-off restarting failed container app in pod p');
  await waitFor(() => sent.length === 1, { timeoutMs: 5000, message: 'event sent despite busy statuses' });
  assert.ok(Date.now() - t0 >= 1900, `sent after ${Date.now() - t0} ms`);
});

test('without pending statuses events go out at once', async () => {
  const { events, sent } = recorder({ busy: false, onIdle(cb) { cb(); } });
  events.normal(target, 'Started', 'Started container app');
  await waitFor(() => sent.length === 1, { timeoutMs: 200, message: 'event sent' });
});
