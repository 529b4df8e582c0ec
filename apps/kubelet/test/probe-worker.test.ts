// Issue 13: a probe worker's thresholds, initial results, retries and stop rules (k/k pkg/kubelet/prober/worker.go),
// driven by a scripted handler. Periods are fractions of a second here (the API only allows whole seconds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@podling/testkit';
import type { ActionResult } from '../src/probe-action.ts';
import { ProbeWorker, type ProbeResult, type ProbeType } from '../src/probe-worker.ts';

interface Run { changes: ProbeResult[]; warnings: string[]; calls: number; worker: ProbeWorker }

function run(type: ProbeType, script: ('s' | 'f' | 'e')[], probe: { successThreshold?: number; failureThreshold?: number } = {}): Run {
  const r: Run = { changes: [], warnings: [], calls: 0, worker: undefined as unknown as ProbeWorker };
  let i = 0;
  r.worker = new ProbeWorker({
    type, probe: { periodSeconds: 0.005, ...probe }, startedAt: Date.now(), jitter: false,
    act: async (): Promise<ActionResult> => {
      r.calls++;
      // Past the script the worker is stopped, so this run is not counted (and shows up in `calls` if it happens).
      if (i >= script.length) { r.worker.stop(); return { result: 'failure', output: 'past the script' }; }
      const step = script[i++];
      if (step === 'e') throw new Error('port http not found');
      return step === 's' ? { result: 'success', output: 'ok' } : { result: 'failure', output: 'boom' };
    },
    warn: (reason, message) => r.warnings.push(`${reason}: ${message}`),
    changed: (res) => r.changes.push(res),
  });
  return r;
}

test('issue 13: results start as Kubernetes seeds them', () => {
  for (const [type, want] of [['Readiness', 'failure'], ['Liveness', 'success'], ['Startup', 'unknown']] as const) {
    const r = run(type, ['s']);
    assert.equal(r.worker.result, want, type);
    r.worker.stop();
  }
});

test('issue 13: readiness flips only after successThreshold successes and failureThreshold failures in a row', async () => {
  const r = run('Readiness', ['s', 'f', 's', 's', 'f', 'f', 's', 'f', 'f', 'f', 's'], { successThreshold: 2, failureThreshold: 3 });
  await waitFor(() => r.calls > 11, { message: 'eleven runs' });
  assert.deepEqual(r.changes, ['success', 'failure']);
  assert.equal(r.warnings.filter((w) => w === 'Unhealthy: Readiness probe failed: boom').length, 6);
});

test('issue 13: a liveness failure at the threshold is reported once and ends the worker', async () => {
  const r = run('Liveness', ['f', 's', 'f', 'f', 's'], { failureThreshold: 2 });
  await waitFor(() => r.changes.length > 0, { message: 'a change' });
  assert.deepEqual(r.changes, ['failure']);
  assert.equal(r.calls, 4, 'no run after the failure (a fifth would be counted here)');
});

test('issue 13: a startup success ends the worker', async () => {
  const r = run('Startup', ['f', 's', 'f']);
  await waitFor(() => r.changes.length > 0, { message: 'a change' });
  assert.deepEqual(r.changes, ['success']);
  assert.equal(r.calls, 2, 'no run after the success');
});

test('issue 13: an errored run is retried 3 times, reported as errored and not counted', async () => {
  const r = run('Liveness', ['e', 'e', 'e', 'f', 'f', 'f'], { failureThreshold: 3 });
  await waitFor(() => r.changes.length > 0, { message: 'a change' });
  assert.deepEqual(r.warnings.slice(0, 1), ['Unhealthy: Liveness probe errored and resulted in unknown state: port http not found']);
  assert.equal(r.calls, 6, 'three tries that errored, then three failures');
});
