// Everything a container starts ends with it, also what setsid()s and double-forks out of its process group, and
// also across an agent kill -9 (issue 14.5): each container instance runs in a cgroup of its own, killed and
// removed with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { ContainerCgroups } from '../src/container-cgroup.ts';
import { allEscapes, create, escaper, noEscapes as none, pidsMatching, podManifest, sleeps, startAgentCluster } from './cluster-fixture.ts';

const probe = ContainerCgroups.detect('/nonexistent/podling-probe', 'probe');
const skip = probe.mode.kind === 'none' ? `no cgroups here: ${probe.mode.reason}` : false;
probe.release();

const running = (p: Pod) => p.status?.phase === 'Running';

/** Session id of a process (field 6 of /proc/<pid>/stat). */
function sessionOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
}

function agentCgroups(rootDir: string): ContainerCgroups {
  return ContainerCgroups.detect(rootDir, 'node-a');
}

test('issue 14.5: deleting a pod ends the processes that setsid and double-fork out of its container', { skip }, async (t) => {
  const c = await startAgentCluster(t);
  const pod = await create(c, podManifest('escapes', { terminationGracePeriodSeconds: 2, containers: [escaper('1001')] }));
  await c.waitPod('escapes', running);
  await waitFor(() => allEscapes('1001'), { message: 'the escaped sleeps run' });
  const [escaped] = sleeps('10013');
  const [wrapper] = pidsMatching(`${c.agents[0].rootDir}/pods/${pod.metadata.uid}`);
  assert.notEqual(sessionOf(escaped), sessionOf(wrapper), 'the child really left the container\'s session');
  const podCgroup = agentCgroups(c.agents[0].rootDir).podDir(pod.metadata.uid!)!;
  assert.ok(existsSync(podCgroup), `${podCgroup} exists while the pod runs`);

  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'escapes');
  await waitFor(() => none('1001'), { timeoutMs: 10_000, message: 'every escaped process ended with the pod' });
  await waitFor(() => !existsSync(podCgroup), { timeoutMs: 10_000, message: `${podCgroup} removed` });
});

test('issue 14.5: after kill -9 of the agent, escaped processes still end with their pod — adopted or deleted meanwhile', { skip }, async (t) => {
  const c = await startAgentCluster(t);
  const kept = await create(c, podManifest('adopted', { terminationGracePeriodSeconds: 2, containers: [escaper('2002')] }));
  const dropped = await create(c, podManifest('dropped', { terminationGracePeriodSeconds: 2, containers: [escaper('3003')] }));
  await c.waitPod('adopted', running);
  await c.waitPod('dropped', running);
  await waitFor(() => allEscapes('2002') && allEscapes('3003'), { message: 'escapes running' });
  const agent = c.agents.pop()!;
  agent.process.kill('SIGKILL');
  await agent.process.exited;
  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'dropped', { gracePeriodSeconds: 0 });
  await c.addAgent('node-a', undefined, agent.rootDir);
  const cgroups = agentCgroups(agent.rootDir);
  await waitFor(() => none('3003'), { timeoutMs: 10_000, message: 'the escapes of the pod deleted while the agent was down were killed' });
  await waitFor(() => !existsSync(cgroups.podDir(dropped.metadata.uid!)!), { timeoutMs: 10_000, message: 'its cgroup removed' });
  assert.ok(allEscapes('2002'), 'the adopted pod keeps running');

  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'adopted');
  await waitFor(() => none('2002'), { timeoutMs: 10_000, message: 'the adopted pod\'s escapes ended with it' });
  await waitFor(() => !existsSync(cgroups.podDir(kept.metadata.uid!)!), { timeoutMs: 10_000, message: 'its cgroup removed' });
});

test('issue 14.5: a root container cannot write itself out of its cgroup', { skip }, async (t) => {
  const c = await startAgentCluster(t);
  const mount = probe.mode.kind === 'none' ? '' : probe.mode.mount;
  await create(c, podManifest('mover', { containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c',
    `if echo $$ 2>/dev/null > ${mount}/cgroup.procs; then echo escaped; else echo stayed; fi; exec sleep 3600`] }] }));
  const log = await waitFor(async () => {
    const text = await (await c.agents[0].fetch(`/containerLogs/default/mover/app`)).text();
    return /escaped|stayed/.test(text) && text;
  }, { message: 'the container tried to move' });
  assert.equal(log.trim(), 'stayed');
});
