// Graceful and force deletion as the Pod docs describe them: preStop first, TERM to every container at once, KILL
// at the grace (never sooner than 2 s after TERM), the terminal phase written, then the object deleted by the agent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@podling/api';
import { isStatusError } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { create, pidsMatching, podManifest, startAgentCluster, type AgentCluster } from './cluster-fixture.ts';

const sh = (name: string, script: string, extra: object = {}) => ({ name, image: 'busybox', command: ['sh', '-c', script], ...extra });
const ready = (p: Pod) => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((s) => s.ready);

async function gone(c: AgentCluster, name: string, timeoutMs: number): Promise<number> {
  await waitFor(async () => {
    try { await c.pod('default', name); return false; } catch (e) { return isStatusError(e) && e.code === 404; }
  }, { timeoutMs, message: `pod ${name} deleted` });
  return Date.now();
}

/** Waits until the container printed `marker` (its TERM trap is installed only then). */
async function printed(c: AgentCluster, pod: string, container: string, marker: string): Promise<void> {
  await waitFor(async () => {
    const r = await c.agents[0].fetch(`/containerLogs/default/${pod}/${container}`);
    return r.ok && (await r.text()).includes(marker);
  }, { message: `${pod}/${container} printed ${marker}` });
}

test('graceful delete: a container that traps TERM exits at once; one that ignores TERM is killed at the grace, not before', async (t) => {
  const c = await startAgentCluster(t);
  await create(c, podManifest('polite', { terminationGracePeriodSeconds: 10, containers: [
    sh('app', 'trap "echo bye; exit 0" TERM; echo ready; while :; do sleep 0.1; done')] }));
  await create(c, podManifest('stubborn', { terminationGracePeriodSeconds: 3, containers: [
    sh('app', 'trap "echo ignoring" TERM; echo ready; while :; do sleep 0.1; done')] }));
  await c.waitPod('polite', ready);
  await c.waitPod('stubborn', ready);
  await printed(c, 'polite', 'app', 'ready');
  await printed(c, 'stubborn', 'app', 'ready');

  const phases = new Map<string, string | undefined>();
  const watch = c.client.watch<Pod>({ resource: 'pods', namespace: 'default' }, {}, (ev) => {
    const p = ev.object as Pod;
    if (ev.type === 'MODIFIED' && p.metadata?.deletionTimestamp) phases.set(p.metadata.name!, p.status?.phase);
  });
  t.after(() => watch.stop());
  const t0 = Date.now();
  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'polite');
  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'stubborn');
  const [politeAt, stubbornAt] = await Promise.all([gone(c, 'polite', 8000), gone(c, 'stubborn', 10_000)]);
  assert.ok(politeAt - t0 < 2000, `polite pod took ${politeAt - t0} ms, grace was 10 s`);
  assert.ok(stubbornAt - t0 >= 2900 && stubbornAt - t0 < 5000, `stubborn pod took ${stubbornAt - t0} ms, grace was 3 s`);
  assert.equal(phases.get('polite'), 'Succeeded');
  assert.equal(phases.get('stubborn'), 'Failed'); // killed: 137
  assert.deepEqual(pidsMatching(`${c.agents[0].rootDir}/pods/`), []);
});

test('preStop runs before TERM', async (t) => {
  const c = await startAgentCluster(t);
  await create(c, podManifest('hooked', { terminationGracePeriodSeconds: 10, volumes: [{ name: 'shared', emptyDir: {} }], containers: [
    sh('app', 'trap "echo term >> $PODLING_VOLUME_SHARED/order; exit 0" TERM; echo ready; while :; do sleep 0.1; done', {
      volumeMounts: [{ name: 'shared', mountPath: '/podling-test-nowhere' }],
      lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 0.5; echo prestop >> $PODLING_VOLUME_SHARED/order'] } } },
    })] }));
  const p = await c.waitPod('hooked', ready);
  await printed(c, 'hooked', 'app', 'ready');
  const { readFileSync } = await import('node:fs');
  const orderFile = `${c.agents[0].rootDir}/pods/${p.metadata.uid}/volumes/kubernetes.io~empty-dir/shared/order`;
  let order = '';
  const poll = setInterval(() => { try { order = readFileSync(orderFile, 'utf8'); } catch { /* not yet */ } }, 10);
  t.after(() => clearInterval(poll));
  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'hooked');
  await waitFor(() => order.includes('term'), { timeoutMs: 8000, message: 'TERM handler ran' });
  assert.equal(order, 'prestop\nterm\n');
  await gone(c, 'hooked', 5000);
});

test('force delete kills the processes at once and cleans up', async (t) => {
  const c = await startAgentCluster(t);
  const created = await create(c, podManifest('doomed', { terminationGracePeriodSeconds: 30, containers: [sh('app', 'echo ready; sleep 3600')] }));
  await c.waitPod('doomed', ready);
  const root = c.agents[0].rootDir;
  assert.ok(pidsMatching(`${root}/pods/${created.metadata.uid}`).length > 0);
  const t0 = Date.now();
  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'doomed', { gracePeriodSeconds: 0 });
  await waitFor(() => pidsMatching(`${root}/pods/${created.metadata.uid}`).length === 0, { timeoutMs: 5000, message: 'processes gone' });
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  const { existsSync } = await import('node:fs');
  await waitFor(() => !existsSync(`${root}/pods/${created.metadata.uid}`), { message: 'pod dir removed' });
});
