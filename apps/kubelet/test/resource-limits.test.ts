// Issue 19: resources become cgroup limits. A container past limits.memory is OOMKilled (exit code 137), limits.cpu
// is a CFS quota and requests.cpu the shares/weight of its cgroup, and no cgroup of Podling's is left once the pods
// are deleted, also when the agent was killed with -9 meanwhile. Without cgroups the pod runs and says what it lacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KubeEvent, Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { ContainerCgroups } from '../src/container-cgroup.ts';
import { create, podManifest, startAgentCluster, FAST_ARGS } from './cluster-fixture.ts';

const probe = ContainerCgroups.detect('/nonexistent/podling-probe', 'probe');
const skip = probe.missing.memory ?? probe.missing.cpu ? `no cgroup memory/cpu controllers here: ${probe.missing.memory ?? probe.missing.cpu}` : false;
probe.release();

const read = (dir: string | undefined, file: string) => readFileSync(path.join(dir!, file), 'utf8').trim();
const limited = (name: string, command: string[], resources: object): Pod => podManifest(name, {
  restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox', command, resources }],
});

test('issue 19: cgroup limits', { skip }, async (t) => {
  const c = await startAgentCluster(t);
  const rootDir = c.agents[0].rootDir;
  const cgroups = ContainerCgroups.detect(rootDir, 'node-a');
  const del = (name: string) => c.client.delete({ resource: 'pods', namespace: 'default' }, name, { gracePeriodSeconds: 0 });

  await t.test('a container allocating past limits.memory is OOMKilled with exit code 137', async () => {
    await create(c, limited('hog', ['python3', '-c', 'b = bytearray(512 * 1024 * 1024); print(len(b))'], { limits: { memory: '64Mi' } }));
    const p = await c.waitPod('hog', (x) => x.status?.phase === 'Failed', 30_000);
    const term = p.status!.containerStatuses![0].state.terminated!;
    assert.equal(term.reason, 'OOMKilled');
    assert.equal(term.exitCode, 137);
    await del('hog');
  });

  await t.test('limits.cpu is the CFS quota and requests.cpu the shares of the container and pod cgroups', async () => {
    // Ready only when the exec probe's own process runs in the container's cgroup (`<pod>/app.0`), as runc exec
    // puts it: the probe counts against the container's limits and dies with it.
    const pod = await create(c, podManifest('quota', {
      restartPolicy: 'Never', terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '100m', memory: '32Mi' }, limits: { cpu: '250m', memory: '48Mi' } },
        readinessProbe: { exec: { command: ['sh', '-c', 'grep -q "/app\\.0$" /proc/self/cgroup'] }, periodSeconds: 1 } }],
    }));
    await c.waitPod('quota', (x) => x.status?.conditions?.some((k) => k.type === 'Ready' && k.status === 'True') ?? false, 20_000);
    const uid = pod.metadata.uid!;
    const cpu = cgroups.instanceDir(uid, 'app', 0, 'cpu');
    const mem = cgroups.instanceDir(uid, 'app', 0, 'memory');
    const v2 = existsSync(path.join(cpu!, 'cpu.max'));
    for (const dir of [cpu, cgroups.podDir(uid, 'cpu')]) {
      if (v2) {
        assert.equal(read(dir, 'cpu.max'), '25000 100000');
        assert.equal(read(dir, 'cpu.weight'), String(1 + Math.floor((102 - 2) * 9999 / 262142)));
      } else {
        assert.equal(read(dir, 'cpu.cfs_quota_us'), '25000');
        assert.equal(read(dir, 'cpu.cfs_period_us'), '100000');
        assert.equal(read(dir, 'cpu.shares'), '102'); // 100m · 1024 / 1000
      }
    }
    assert.equal(read(mem, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(48 * 2 ** 20));
    const [wrapper] = read(cgroups.instanceDir(uid, 'app', 0), 'cgroup.procs').split('\n');
    assert.ok(read(cpu, 'cgroup.procs').split('\n').includes(wrapper), 'the container runs in its cpu cgroup');
    await del('quota');
    await waitFor(() => cgroups.pods().length === 0, { timeoutMs: 10_000, message: 'every pod cgroup removed, in every hierarchy' });
    assert.ok(!existsSync(cgroups.podDir(uid, 'memory')!) && !existsSync(cgroups.podDir(uid, 'cpu')!));
  });

  await t.test('a deleted container\'s page cache is given back with its memory cgroup, not left charged to a dying one', async () => {
    // The file outlives the pod, and so would its 16 MiB of page cache charged to the container's memory cgroup:
    // after the rmdir the kernel keeps such a cgroup as a dying one, still counted in its parent's usage, until
    // memory pressure reclaims the pages.
    const dir = mkdtempSync(path.join(tmpdir(), 'podling-page-cache-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'written');
    await create(c, limited('writer', ['dd', 'if=/dev/zero', `of=${file}`, 'bs=1M', 'count=16', 'conv=fsync'], { limits: { memory: '64Mi' } }));
    await c.waitPod('writer', (x) => x.status?.phase === 'Succeeded', 20_000);
    await del('writer');
    await waitFor(() => cgroups.pods().length === 0, { timeoutMs: 10_000, message: 'the writer\'s cgroups removed' });
    assert.equal(statSync(file).size, 16 * 2 ** 20);
    const node = cgroups.controller('memory')!;
    const charged = Number(read(node.dir, node.kind === 'v2' ? 'memory.current' : 'memory.usage_in_bytes'));
    assert.ok(charged < 4 * 2 ** 20, `the node's memory cgroup still has ${charged} bytes charged with no pod left`);
  });

  await t.test('after kill -9 of the agent, the cgroups of a pod deleted meanwhile are removed in every hierarchy', async () => {
    const pod = await create(c, limited('left', ['sleep', '3600'], { limits: { cpu: '100m', memory: '32Mi' } }));
    await c.waitPod('left', (x) => x.status?.phase === 'Running');
    assert.ok(existsSync(cgroups.podDir(pod.metadata.uid!, 'memory')!));
    const agent = c.agents.pop()!;
    agent.process.kill('SIGKILL');
    await agent.process.exited;
    await del('left');
    await c.addAgent('node-a', undefined, rootDir);
    await waitFor(() => cgroups.pods().length === 0, { timeoutMs: 10_000, message: 'the deleted pod\'s cgroups removed' });
  });

  await t.test('without cgroups the pod runs, and an event and its condition say what it lacks', async () => {
    await c.addAgent('node-b', [...FAST_ARGS, '--cgroups=false']);
    await create(c, podManifest('bare', { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], resources: { limits: { memory: '64Mi' } } }] }, 'node-b'));
    const p = await c.waitPod('bare', (x) => x.status?.phase === 'Running');
    const cond = p.status!.conditions!.find((x) => x.type === 'PodReadyToStartContainers')!;
    assert.equal(cond.status, 'True');
    assert.equal(cond.reason, 'SandboxIncomplete');
    assert.match(cond.message!, /^Pod runs without a cgroup for its containers \(--cgroups=false\): .*; without its limits\.memory \(no cgroup memory controller: --cgroups=false\)$/);
    const events = await waitFor(async () => {
      const list = await c.client.list<KubeEvent>({ resource: 'events', namespace: 'default' });
      const mine = list.items.filter((e) => e.involvedObject.name === 'bare' && e.reason === 'SandboxIncomplete');
      return mine.length === 2 && mine;
    }, { message: 'two SandboxIncomplete events' });
    assert.ok(events.every((e) => e.type === 'Warning' && e.message!.startsWith('Pod runs without ')));
    await del('bare');
  });
});
