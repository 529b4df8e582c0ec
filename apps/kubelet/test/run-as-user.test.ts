// Issue 7: securityContext.runAsUser/runAsGroup start the container with that uid/gid when the agent runs as root,
// and are refused with a clear waiting reason when it cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { planLaunch } from '../src/container-launcher.ts';
import { PodPaths } from '../src/pod-paths.ts';
import { create, podManifest, startAgentCluster } from './cluster-fixture.ts';

const UID = '0f3c0e2a-5b1e-4c8a-9a57-2a0f6c1d2b3e';

function plan(securityContext: object, podSecurityContext: object, agentUid: number) {
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: UID },
    spec: { securityContext: podSecurityContext, containers: [{ name: 'c', command: ['id'], securityContext }] },
  } as unknown as Pod;
  return planLaunch(pod.spec.containers[0], 0, { pod, paths: new PodPaths('/tmp/podling-plan', UID), nodeIP: '127.0.0.1', namespaces: false, mountBin: 'mount', agentUid });
}

test('a root agent runs the container as the container-level user and group, else the pod-level ones', () => {
  const own = plan({ runAsUser: 1000, runAsGroup: 2000 }, { runAsUser: 5, runAsGroup: 6 }, 0);
  assert.deepEqual('launch' in own && own.launch?.runAs, { uid: 1000, gid: 2000 });
  const inherited = plan({}, { runAsUser: 5 }, 0);
  assert.deepEqual('launch' in inherited && inherited.launch?.runAs, { uid: 5, gid: 0 });
  const none = plan({}, {}, 0);
  assert.equal('launch' in none && none.launch?.runAs, undefined);
});

test('an agent that is not root refuses runAsUser with a clear reason', () => {
  const p = plan({ runAsUser: 1000 }, {}, 1234);
  assert.ok('configError' in p && p.configError);
  assert.match(p.configError!, /cannot run as user 1000: the agent runs as uid 1234, and only an agent running as root/);
});

test('as root, the process really runs with the requested uid and gid', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async (t) => {
  const c = await startAgentCluster(t);
  await create(c, podManifest('nobody', { containers: [
    { name: 'app', image: 'busybox', command: ['sh', '-c', 'echo "$(id -u) $(id -g) $(id -G)"; sleep 3600'], securityContext: { runAsUser: 65534, runAsGroup: 65534 } },
  ] }));
  await c.waitPod('nobody', (p) => p.status?.phase === 'Running');
  const text = await waitFor(async () => {
    const r = await c.agents[0].fetch(`/containerLogs/default/nobody/app`);
    const s = r.ok ? await r.text() : '';
    return s.trim() && s;
  }, { message: 'container output' });
  assert.equal(text.trim(), '65534 65534 65534');
});
