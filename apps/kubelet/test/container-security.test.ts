// A container gets what Kubernetes gives it, not host root (issue 14.6): the runtime's default capability set,
// capabilities.add/drop, no_new_privs for allowPrivilegeEscalation: false, a user namespace for hostUsers: false,
// and the agent's wrapper never runs with the pod's environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Container, Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from '../src/container-security.ts';
import { create, FAST_ARGS, pidsMatching, podManifest, startAgentCluster, type AgentCluster } from './cluster-fixture.ts';

const skip = process.getuid?.() !== 0 ? 'needs root: only a root agent sets identities and capabilities' : false;

const mask = (caps: string[]) => caps.reduce((m, c) => m | (1n << BigInt(ALL_CAPABILITIES.indexOf(c))), 0n).toString(16).padStart(16, '0');

/** The container's own /proc/self/status lines, printed to its log. */
const statusPrinter = (name: string, marker: string, extra: Partial<Container> = {}): Container => ({
  name, image: 'busybox', command: ['sh', '-c', `grep -E '^(Cap|NoNewPrivs|Uid)' /proc/self/status; echo uid=$(id -u); exec sleep 3600 ${marker}`], ...extra,
});

async function statusOf(c: AgentCluster, pod: string, container = 'app'): Promise<Record<string, string>> {
  const text = await waitFor(async () => {
    const r = await c.agents[0].fetch(`/containerLogs/default/${pod}/${container}`);
    const t = r.ok ? await r.text() : '';
    return t.includes('uid=') && t;
  }, { message: `${pod} printed its status` });
  return Object.fromEntries(text.trim().split('\n').map((l) => l.split(/[:=]\s*/)).map(([k, ...v]) => [k, v.join(' ').trim()]));
}

/** A host-side /proc/<pid>/status field of the process whose command line ends in `marker`. The container prints
 *  its status before it execs sleep, so the sleep may not exist yet when the print is seen. */
async function hostStatus(marker: string, key: string): Promise<string> {
  const pid = await waitFor(() => pidsMatching(marker).find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sleep')),
    { message: `the sleep of ${marker} runs` });
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${key}:`))!;
  return line.split(/\s+/)[1];
}

test('issue 14.6: containers get the runtime default capabilities, add/drop, and no_new_privs', { skip }, async (t) => {
  const c = await startAgentCluster(t);
  await create(c, podManifest('caps', { containers: [
    statusPrinter('app', '9101'),
    statusPrinter('tuned', '9102', { securityContext: { capabilities: { add: ['NET_ADMIN', 'CAP_SYS_TIME'], drop: ['KILL', 'net_raw'] } } }),
    statusPrinter('nnp', '9103', { securityContext: { allowPrivilegeEscalation: false } }),
    statusPrinter('user', '9104', { securityContext: { runAsUser: 1000, runAsGroup: 1000 } }),
    statusPrinter('bare', '9105', { securityContext: { capabilities: { drop: ['ALL'], add: ['CHOWN'] } } }),
  ] }));
  const root = await statusOf(c, 'caps', 'app');
  assert.equal(root.CapBnd, mask(DEFAULT_CAPABILITIES));
  assert.equal(root.CapEff, mask(DEFAULT_CAPABILITIES), 'root in a container has the default set, not every capability');
  assert.equal(root.NoNewPrivs, '0');
  const tuned = await statusOf(c, 'caps', 'tuned');
  const expected = [...DEFAULT_CAPABILITIES.filter((x) => x !== 'KILL' && x !== 'NET_RAW'), 'NET_ADMIN', 'SYS_TIME'];
  assert.equal(tuned.CapEff, mask(expected));
  assert.equal((await statusOf(c, 'caps', 'nnp')).NoNewPrivs, '1');
  const user = await statusOf(c, 'caps', 'user');
  assert.equal(user.CapEff, mask([]), 'a non-root user has no capabilities');
  assert.equal(user.CapBnd, mask(DEFAULT_CAPABILITIES));
  assert.equal(user.uid, '1000');
  assert.equal((await statusOf(c, 'caps', 'bare')).CapEff, mask(['CHOWN']));
});

test('issue 14.6: hostUsers: false runs the pod\'s root as an unprivileged host user; the agent flag makes it the default', { skip }, async (t) => {
  const c = await startAgentCluster(t, ['node-a'], [...FAST_ARGS, '--default-host-users', 'false']);
  await create(c, podManifest('userns', { hostUsers: false, containers: [statusPrinter('app', '9201')] }));
  await create(c, podManifest('by-default', { containers: [statusPrinter('app', '9202', { securityContext: { runAsUser: 1000 } })] }));
  await create(c, podManifest('opted-out', { hostUsers: true, containers: [statusPrinter('app', '9203')] }));
  const inside = await statusOf(c, 'userns');
  assert.equal(inside.uid, '0', 'root inside');
  assert.equal(inside.CapEff, mask(DEFAULT_CAPABILITIES));
  const hostUid = Number(await hostStatus('9201', 'Uid'));
  assert.ok(hostUid >= 2 ** 20, `the host sees uid ${hostUid}, not root`);
  assert.equal((await statusOf(c, 'by-default')).uid, '1000');
  const otherHostUid = Number(await hostStatus('9202', 'Uid'));
  assert.ok(otherHostUid >= 2 ** 20 && Math.floor(otherHostUid / 65536) !== Math.floor(hostUid / 65536), `pods get separate id ranges (${hostUid}, ${otherHostUid})`);
  await statusOf(c, 'opted-out');
  assert.equal(await hostStatus('9203', 'Uid'), '0', 'hostUsers: true keeps the host\'s users');
});

test('issue 14.6: the pod\'s LD_PRELOAD and PATH never reach the agent\'s root-run wrapper, only the container', { skip }, async (t) => {
  const c = await startAgentCluster(t);
  const pod: Pod = podManifest('preload', { containers: [{
    name: 'app', image: 'busybox', command: ['sleep', '3600', '9301'],
    env: [{ name: 'LD_PRELOAD', value: '/nonexistent/podling-evil.so' }, { name: 'PATH', value: `/nonexistent/bin:${process.env.PATH}` }, { name: 'MARKER', value: 'pod-env-9301' }],
  }] });
  const created = await create(c, pod);
  const sleeper = () => pidsMatching('9301').filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sleep'));
  const [container] = await waitFor(() => sleeper().length === 1 && sleeper(), { message: 'the container runs' });
  const [wrapper] = pidsMatching(`${c.agents[0].rootDir}/pods/${created.metadata.uid}`);
  const wrapperEnv = readFileSync(`/proc/${wrapper}/environ`, 'utf8').split('\0');
  assert.ok(!wrapperEnv.some((e) => e.startsWith('LD_PRELOAD=') || e.includes('pod-env-9301') || e.includes('/nonexistent')), `wrapper env: ${wrapperEnv.join(' ')}`);
  const containerEnv = readFileSync(`/proc/${container}/environ`, 'utf8').split('\0');
  assert.ok(containerEnv.includes('MARKER=pod-env-9301') && containerEnv.includes('LD_PRELOAD=/nonexistent/podling-evil.so'), 'the container gets its env');
  const log = await waitFor(async () => {
    const text = await (await c.agents[0].fetch(`/containerLogs/default/preload/app`)).text();
    return text.includes('podling-evil.so') && text;
  }, { message: 'the container\'s own process tried the preload' });
  // Only the container's own process (sleep) tries the preload; no root-run step of the agent does.
  assert.equal(log.split('\n').filter((l) => l.includes('podling-evil.so')).length, 1, log);
});

test('issue 14.6: readOnlyRootFilesystem makes / read-only in the container while its volumes stay writable', { skip }, async (t) => {
  const c = await startAgentCluster(t);
  await create(c, podManifest('ro', {
    restartPolicy: 'Never',
    volumes: [{ name: 'scratch', emptyDir: {} }],
    containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'scratch', mountPath: '/mnt' }],
      securityContext: { readOnlyRootFilesystem: true }, command: ['sh', '-c',
        'touch /etc/podling-ro-test 2>/dev/null && echo root-writable || echo root-readonly; touch /mnt/x && echo volume-writable; exit 3'] }],
  }));
  const p = await c.waitPod('ro', (x: Pod) => x.status?.phase === 'Failed');
  assert.equal(p.status!.containerStatuses![0].state!.terminated!.exitCode, 3, 'the exit code is still recorded');
  const log = await (await c.agents[0].fetch('/containerLogs/default/ro/app')).text();
  assert.equal(log, 'root-readonly\nvolume-writable\n');
});
