// Without cgroups (forced with --cgroups=false), what a container starts still ends with it — also what setsid()s
// and double-forks out of its process group, and also across an agent kill -9 (issue 14.5's fallback): the agent's
// /proc scans record every descendant in the pod's persisted state (descendant-tracker.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { PodPaths } from '../src/pod-paths.ts';
import type { PodRecord } from '../src/pod-record.ts';
import { create, FAST_ARGS, podManifest, sleeps, startAgentCluster } from './cluster-fixture.ts';

const NO_CGROUPS = [...FAST_ARGS, '--cgroups', 'false'];
const running = (p: Pod) => p.status?.phase === 'Running';

/**
 * Escapes the scans can see: `<tag>1` and `<tag>3` are left orphaned (reparented to init, in sessions of their own)
 * only once the test ends their parents `<tag>2` and `<tag>4` — after a scan recorded them. An escape faster than a
 * scan is the fallback's documented gap.
 */
const lateEscaper = (tag: string) => ({
  name: 'app', image: 'busybox', command: ['sh', '-c',
    `setsid sh -c 'sleep ${tag}1 & exec sleep ${tag}2' & setsid sh -c 'sleep ${tag}3 & exec sleep ${tag}4' & exec sleep 3600`],
});
const seen = (tag: string) => [1, 2, 3, 4].every((i) => sleeps(`${tag}${i}`).length === 1);
/** Ends the parents: the recorded children are now reparented out of the container's tree. */
function orphan(tag: string): void {
  for (const i of [2, 4]) for (const pid of sleeps(`${tag}${i}`)) process.kill(pid, 'SIGKILL');
}
const orphaned = (tag: string) => sleeps(`${tag}2`).length === 0 && sleeps(`${tag}4`).length === 0 && [1, 3].every((i) => sleeps(`${tag}${i}`).length === 1);
const gone = (tag: string) => [1, 2, 3, 4].every((i) => sleeps(`${tag}${i}`).length === 0);

/** The escapes of `tag` are all recorded in the pod's persisted state (a scan saw them). */
function recorded(rootDir: string, uid: string, tag: string): boolean {
  let rec: PodRecord;
  try {
    rec = JSON.parse(readFileSync(path.join(PodPaths.podsDir(rootDir), uid, 'state.json'), 'utf8')) as PodRecord;
  } catch { return false; }
  const pids = new Set((rec.containers.app?.current?.descendants ?? []).map((p) => p.pid));
  return [1, 2, 3, 4].every((i) => sleeps(`${tag}${i}`).every((pid) => pids.has(pid)));
}

test('issue 14.5: without cgroups, deleting a pod ends the processes that setsid and double-fork out of its container', async (t) => {
  const c = await startAgentCluster(t, ['node-a'], NO_CGROUPS);
  const pod = await create(c, podManifest('escapes', { terminationGracePeriodSeconds: 2, containers: [lateEscaper('4004')] }));
  await c.waitPod('escapes', running);
  await waitFor(() => seen('4004') && recorded(c.agents[0].rootDir, pod.metadata.uid!, '4004'), { message: 'the escapes run and a scan recorded them' });
  orphan('4004');
  await waitFor(() => orphaned('4004'), { message: 'the escapes are orphaned' });
  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'escapes');
  await waitFor(() => gone('4004'), { timeoutMs: 10_000, message: 'every escaped process ended with the pod' });
});

test('issue 14.5: without cgroups, after kill -9 of the agent, escaped processes still end with their pod — adopted or deleted meanwhile', async (t) => {
  const c = await startAgentCluster(t, ['node-a'], NO_CGROUPS);
  const kept = await create(c, podManifest('adopted', { terminationGracePeriodSeconds: 2, containers: [lateEscaper('5005')] }));
  const dropped = await create(c, podManifest('dropped', { terminationGracePeriodSeconds: 2, containers: [lateEscaper('6006')] }));
  await c.waitPod('adopted', running);
  await c.waitPod('dropped', running);
  const root = c.agents[0].rootDir;
  await waitFor(() => seen('5005') && seen('6006') && recorded(root, kept.metadata.uid!, '5005') && recorded(root, dropped.metadata.uid!, '6006'),
    { message: 'escapes running and recorded' });
  orphan('5005');
  orphan('6006');
  await waitFor(() => orphaned('5005') && orphaned('6006'), { message: 'the escapes are orphaned' });
  const agent = c.agents.pop()!;
  agent.process.kill('SIGKILL');
  await agent.process.exited;
  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'dropped', { gracePeriodSeconds: 0 });
  await c.addAgent('node-a', NO_CGROUPS, agent.rootDir);
  await waitFor(() => gone('6006'), { timeoutMs: 10_000, message: 'the escapes of the pod deleted while the agent was down were killed' });
  assert.ok(orphaned('5005'), 'the adopted pod keeps running');

  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'adopted');
  await waitFor(() => gone('5005'), { timeoutMs: 10_000, message: 'the adopted pod\'s escapes ended with it' });
});
