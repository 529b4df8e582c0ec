// Several agents on one machine, and what survives an agent: SIGTERM leaves pods running and a new agent adopts
// them with truthful restart counts; after kill -9, pods deleted meanwhile are killed on start and no process the
// agent started is left unmanaged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@podling/api';
import { isStatusError } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { create, pidsMatching, podManifest, spawnersOf, startAgentCluster } from './cluster-fixture.ts';

const sleeper = (marker: string) => ({ name: 'app', image: 'busybox', command: ['sh', '-c', `echo up; exec sleep 3600 # ${marker}`] });
const running = (p: Pod) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready === true;
/** The pod's log once its first line is there: Running (and an adoption) come before the output reaches the log. */
const logOf = (agent: { fetch(path: string): Promise<Response> }, pod: string) =>
  waitFor(async () => (await (await agent.fetch(`/containerLogs/default/${pod}/app`)).text()) || undefined, { message: `${pod}'s log` });

test('two agents on one machine each run only the pods bound to them', async (t) => {
  const c = await startAgentCluster(t, ['node-a', 'node-b']);
  await create(c, podManifest('on-a', { containers: [sleeper('two-agents-a')] }, 'node-a'));
  await create(c, podManifest('on-b', { containers: [sleeper('two-agents-b')] }, 'node-b'));
  const a = await c.waitPod('on-a', running);
  const b = await c.waitPod('on-b', running);
  const [ra, rb] = c.agents.map((x) => x.rootDir);
  // One process each under its own agent's directory: the wrapper, once the subshell it forks has exec'd the
  // command (Running is reported when the wrapper starts, before that exec).
  await waitFor(() => pidsMatching(`${ra}/pods/${a.metadata.uid}`).length === 1 && pidsMatching(`${rb}/pods/${b.metadata.uid}`).length === 1,
    { message: "each pod's wrapper under its own agent's directory" });
  assert.equal(pidsMatching(`${ra}/pods/${b.metadata.uid}`).length, 0);
  assert.equal(pidsMatching(`${rb}/pods/${a.metadata.uid}`).length, 0);
  assert.equal(await logOf(c.agents[1], 'on-b'), 'up\n');
  assert.equal((await c.agents[0].fetch(`/containerLogs/default/on-b/app`)).status, 404);
});

test('an agent stopped with SIGTERM leaves pods running; the next one adopts them and keeps restart counts', async (t) => {
  const c = await startAgentCluster(t);
  await create(c, podManifest('keep', { containers: [sleeper('adopt-keep')] }));
  await create(c, podManifest('flappy', { containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'sleep 0.2; exit 1'] }] }));
  const before = await c.waitPod('keep', running);
  await c.waitPod('flappy', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2);
  const agent = c.agents.pop()!;
  const spawners = spawnersOf(agent.process.pid);
  assert.equal(spawners.length, 1, 'the agent forks containers through one spawner process');
  assert.equal(await agent.process.stop(10_000), 0, "clean exit on SIGTERM");
  assert.equal(pidsMatching('adopt-keep').length, 1, 'the pod process survived the agent');
  assert.ok(!pidsMatching('spawner.mjs').includes(spawners[0]), 'the spawner stopped with the agent');
  const counts = (await c.pod('default', 'flappy')).status!.containerStatuses![0].restartCount;
  await c.addAgent('node-a', undefined, agent.rootDir);
  await c.waitPod('flappy', (p) => p.status!.containerStatuses![0].restartCount > counts, 15_000);
  const after = await c.pod('default', 'keep');
  assert.equal(after.status!.containerStatuses![0].containerID, before.status!.containerStatuses![0].containerID, 'same process, adopted');
  assert.equal(after.status!.containerStatuses![0].restartCount, 0);
  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'keep');
  await waitFor(() => pidsMatching('adopt-keep').length === 0, { timeoutMs: 10_000, message: 'adopted process terminated on delete' });
  await waitFor(async () => { try { await c.pod('default', 'keep'); return false; } catch (e) { return isStatusError(e) && e.code === 404; } }, { message: 'keep deleted' });
});

test('kill -9 of the agent leaves no orphan: pods deleted while it was down are killed when it restarts', async (t) => {
  const c = await startAgentCluster(t);
  await create(c, podManifest('orphan', { terminationGracePeriodSeconds: 30, containers: [sleeper('orphan-marker')] }));
  await create(c, podManifest('survivor', { containers: [sleeper('survivor-marker')] }));
  await c.waitPod('orphan', running);
  await c.waitPod('survivor', running);
  const agent = c.agents.pop()!;
  const [spawner] = spawnersOf(agent.process.pid);
  agent.process.kill('SIGKILL');
  await agent.process.exited;
  await waitFor(() => !pidsMatching('spawner.mjs').includes(spawner), { timeoutMs: 5000, message: 'the spawner exits when its agent dies' });
  assert.equal(pidsMatching('orphan-marker').length, 1);
  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'orphan', { gracePeriodSeconds: 0 });
  await c.addAgent('node-a', undefined, agent.rootDir);
  await waitFor(() => pidsMatching('orphan-marker').length === 0, { timeoutMs: 8000, message: 'orphaned pod process killed' });
  assert.equal(pidsMatching('survivor-marker').length, 1, 'the pod that still exists is adopted, not killed');
  assert.equal(await logOf(c.agents[0], 'survivor'), 'up\n');
});
