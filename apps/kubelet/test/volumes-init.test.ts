// emptyDir sharing between a pod's containers, init containers in order, and the pod hostname.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { create, podManifest, startAgentCluster, type AgentCluster } from './cluster-fixture.ts';

const sh = (name: string, script: string, extra: object = {}) => ({ name, image: 'busybox', command: ['sh', '-c', script], ...extra });

async function logOf(c: AgentCluster, pod: string, container: string): Promise<string> {
  const r = await c.agents[0].fetch(`/containerLogs/default/${pod}/${container}`);
  return r.ok ? r.text() : '';
}

test('a sidecar pair shares an emptyDir: one writes, the other reads', async (t) => {
  const c = await startAgentCluster(t);
  // /tmp exists on every host, so as root the volume is bind-mounted there inside the container's own mount
  // namespace; without root the containers use $PODLING_VOLUME_SHARED. The script works either way.
  const dir = '${PODLING_VOLUME_SHARED}';
  await create(c, podManifest('pair', { volumes: [{ name: 'shared', emptyDir: {} }], containers: [
    sh('writer', `i=0; while :; do i=$((i+1)); echo "line $i" >> ${dir}/data; sleep 0.1; done`, { volumeMounts: [{ name: 'shared', mountPath: '/tmp' }] }),
    sh('reader', `while [ ! -s ${dir}/data ]; do sleep 0.05; done; head -n 1 ${dir}/data; ls /tmp; echo end-of-listing; sleep 3600`, { volumeMounts: [{ name: 'shared', mountPath: '/tmp' }] }),
  ] }));
  await c.waitPod('pair', (p) => p.status?.phase === 'Running');
  // The reader's lines reach the log one write at a time, so wait for the marker after the listing.
  const text = await waitFor(async () => { const s = await logOf(c, 'pair', 'reader'); return s.includes('end-of-listing') && s; }, { message: 'reader saw the data and listed /tmp' });
  assert.match(text, /^line 1\n/);
  if (process.getuid?.() === 0) assert.match(text, /^data$/m, 'as root, /tmp inside the container is the volume');
});

test('a mountPath that does not exist on the host is not created; the container gets the env var and an Event says so', async (t) => {
  const c = await startAgentCluster(t);
  await create(c, podManifest('nomount', { volumes: [{ name: 'cache-vol', emptyDir: {} }], containers: [
    sh('app', 'echo "$PODLING_VOLUME_CACHE_VOL"; sleep 3600', { volumeMounts: [{ name: 'cache-vol', mountPath: '/podling-test-does-not-exist/cache' }] }),
  ] }));
  await c.waitPod('nomount', (p) => p.status?.phase === 'Running');
  const { existsSync } = await import('node:fs');
  assert.equal(existsSync('/podling-test-does-not-exist'), false);
  assert.match(await waitFor(() => logOf(c, 'nomount', 'app')), /\/volumes\/kubernetes\.io~empty-dir\/cache-vol\n/);
  await waitFor(async () => (await c.client.list({ resource: 'events', namespace: 'default' })).items.some((e) => e.reason === 'MountPathNotHonoured'), { message: 'event' });
});

test('init containers run in order before the app; a failing one with restartPolicy Never fails the pod', async (t) => {
  const c = await startAgentCluster(t);
  const dir = '${PODLING_VOLUME_W}';
  const vol = { volumes: [{ name: 'w', emptyDir: {} }] };
  const mount = { volumeMounts: [{ name: 'w', mountPath: '/podling-test-nowhere' }] };
  await create(c, podManifest('inits', { ...vol,
    initContainers: [sh('first', `sleep 0.3; echo first >> ${dir}/order`, mount), sh('second', `echo second >> ${dir}/order`, mount)],
    containers: [sh('app', `cat ${dir}/order; hostname; sleep 3600`, mount)] }));
  const pending = await c.waitPod('inits', (p) => p.status?.containerStatuses?.[0]?.state.waiting?.reason === 'PodInitializing');
  assert.equal(pending.status!.phase, 'Pending');
  assert.equal(pending.status!.conditions!.find((x) => x.type === 'Initialized')!.status, 'False');
  const running = await c.waitPod('inits', (p) => p.status?.phase === 'Running');
  assert.deepEqual(running.status!.initContainerStatuses!.map((s) => [s.name, s.state.terminated?.reason]), [['first', 'Completed'], ['second', 'Completed']]);
  const out = await waitFor(async () => { const s = await logOf(c, 'inits', 'app'); return s.split('\n').length > 3 && s; });
  assert.match(out, /^first\nsecond\n/);
  if (process.getuid?.() === 0) assert.match(out, /^inits$/m, 'hostname is the pod name');

  await create(c, podManifest('badinit', { restartPolicy: 'Never', initContainers: [sh('boom', 'exit 4')], containers: [sh('app', 'sleep 3600')] }));
  const failed = await c.waitPod('badinit', (p: Pod) => p.status?.phase === 'Failed');
  assert.equal(failed.status!.initContainerStatuses![0].state.terminated?.exitCode, 4);
  assert.equal(failed.status!.containerStatuses![0].state.waiting?.reason, 'PodInitializing');
});

test('a volume mounted over the agent\'s root dir does not hide the exit record: a start error keeps its reason', async (t) => {
  const c = await startAgentCluster(t);
  // As root, /tmp (where the test agent's root dir lies) is shadowed by the volume inside the container's mount
  // namespace; the wrapper still reaches the pod directory through the directory it holds open.
  await create(c, podManifest('shadowed', { restartPolicy: 'Never', volumes: [{ name: 'scratch', emptyDir: {} }], containers: [
    { name: 'app', image: 'busybox', command: ['no-such-command-xyz'], volumeMounts: [{ name: 'scratch', mountPath: '/tmp' }] },
  ] }));
  const p = await c.waitPod('shadowed', (x) => x.status?.phase === 'Failed');
  const term = p.status!.containerStatuses![0].state.terminated!;
  assert.deepEqual([term.exitCode, term.reason], [128, 'StartError']);
  assert.match(term.message ?? '', /executable file not found/);
});
