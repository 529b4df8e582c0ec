// Exit codes, phases and restarts for each restartPolicy, start errors, and the CrashLoopBackOff schedule
// (agent started with --crashloop-backoff-base 1s: restarts come immediately, then 1 s, 2 s, 4 s after each exit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { create, podManifest, startAgentCluster } from './cluster-fixture.ts';

const sh = (script: string) => ({ name: 'app', image: 'busybox', command: ['sh', '-c', script] });
const term = (p: Pod) => p.status?.containerStatuses?.[0]?.state.terminated;

test('exit codes and phases follow restartPolicy', async (t) => {
  const c = await startAgentCluster(t);
  const cases: { name: string; policy: 'Never' | 'OnFailure' | 'Always'; script?: string; command?: string[]; check: (p: Pod) => boolean; expect: (p: Pod) => void }[] = [
    { name: 'never-ok', policy: 'Never', script: 'exit 0', check: (p) => p.status?.phase === 'Succeeded',
      expect: (p) => assert.deepEqual([term(p)?.exitCode, term(p)?.reason], [0, 'Completed']) },
    { name: 'never-fail', policy: 'Never', script: 'exit 3', check: (p) => p.status?.phase === 'Failed',
      expect: (p) => assert.deepEqual([term(p)?.exitCode, term(p)?.reason], [3, 'Error']) },
    { name: 'never-signal', policy: 'Never', script: 'kill -9 $$$$' /* $$ is an escaped $ */, check: (p) => p.status?.phase === 'Failed',
      expect: (p) => assert.equal(term(p)?.exitCode, 137) },
    { name: 'onfailure-ok', policy: 'OnFailure', script: 'exit 0', check: (p) => p.status?.phase === 'Succeeded',
      expect: (p) => assert.equal(p.status!.containerStatuses![0].restartCount, 0) },
    { name: 'onfailure-fail', policy: 'OnFailure', script: 'exit 1', check: (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2,
      expect: (p) => { assert.equal(p.status!.phase, 'Running'); assert.equal(p.status!.containerStatuses![0].lastState.terminated?.exitCode, 1); } },
    { name: 'always-ok', policy: 'Always', script: 'exit 0', check: (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2,
      expect: (p) => assert.equal(p.status!.phase, 'Running') },
    { name: 'start-error', policy: 'Never', command: ['/no/such/binary'], check: (p) => p.status?.phase === 'Failed',
      expect: (p) => { assert.equal(term(p)?.reason, 'StartError'); assert.equal(term(p)?.exitCode, 128); assert.match(term(p)?.message ?? '', /no such file or directory/); } },
    { name: 'no-command', policy: 'Never', command: [], check: (p) => p.status?.containerStatuses?.[0]?.state.waiting?.reason === 'CreateContainerConfigError',
      expect: (p) => { assert.equal(p.status!.phase, 'Pending'); assert.match(p.status!.containerStatuses![0].state.waiting!.message!, /no command/); } },
  ];
  await Promise.all(cases.map((k) => create(c, podManifest(k.name, {
    restartPolicy: k.policy, containers: [k.command ? { name: 'app', image: 'busybox', command: k.command } : sh(k.script!)],
  }))));
  for (const k of cases) {
    const p = await c.waitPod(k.name, k.check);
    k.expect(p);
  }
});

test('CrashLoopBackOff: restarts immediately, then after 1 s, 2 s, 4 s, and the waiting message names the delay', async (t) => {
  const c = await startAgentCluster(t);
  // Restart times are read from the watch, so the pod's first status write must not be slower than the rest. On a
  // fresh apiserver it is: the first Event create compiles the Event schema (~210 ms here, on the apiserver's event
  // loop) and the status write queues behind it, which made the first gap look 300-700 ms short. A pod that
  // reaches Running first takes that cost.
  await create(c, podManifest('warm', { containers: [sh('sleep 3600')] }));
  await c.waitPod('warm', (p) => p.status?.phase === 'Running');
  const created = await create(c, podManifest('crash', { restartPolicy: 'Always', containers: [sh('exit 1')] }));
  const seen: { count: number; at: number }[] = [];
  const messages = new Set<string>();
  await c.waitPod('crash', (p) => {
    const cs = p.status?.containerStatuses?.[0];
    if (!cs) return false;
    if (cs.state.waiting?.reason === 'CrashLoopBackOff') messages.add(cs.state.waiting.message!);
    if (seen.length === 0 || seen[seen.length - 1].count !== cs.restartCount) seen.push({ count: cs.restartCount, at: Date.now() });
    return cs.restartCount >= 4;
  }, 20_000);
  const at = (n: number) => seen.find((s) => s.count === n)?.at;
  const gaps = [2, 3, 4].map((n) => at(n)! - at(n - 1)!);
  for (const [i, want] of [1000, 2000, 4000].entries()) {
    assert.ok(gaps[i] >= want - 150 && gaps[i] <= want + 700, `restart ${i + 2} came ${gaps[i]} ms after the previous one, want ≈${want} ms (all: ${gaps})`);
  }
  const uid = created.metadata.uid;
  assert.ok(messages.has(`back-off 2s restarting failed container=app pod=crash_default(${uid})`), [...messages].join('\n'));
  // Events are posted asynchronously (and rate-limited like the kubelet's), so wait for it rather than race it.
  await waitFor(async () => (await c.client.list({ resource: 'events', namespace: 'default' })).items
    .some((e) => e.reason === 'BackOff' && e.message === 'Back-off restarting failed container app in pod crash' && e.type === 'Warning'),
  { timeoutMs: 10_000, message: 'a Warning BackOff event' });
});
