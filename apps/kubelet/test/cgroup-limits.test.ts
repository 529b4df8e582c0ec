// Issue 19: how resources become cgroup values (the kubelet's conversions) and how the cgroups above the pods bound
// what the Node reports. Pure: no cgroupfs needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Container, Pod } from '@podling/api';
import { makeTempDir } from '@podling/testkit';
import { containerLimits, milliCpuToShares, podLimits, sharesToWeight } from '../src/cgroup-limits.ts';
import { cgroupBounds } from '../src/cgroup-capacity.ts';
import { buildNodeStatus, hostNodeFacts } from '../src/node-object.ts';

const ctr = (name: string, resources?: Container['resources']): Container => ({ name, image: 'busybox', ...(resources ? { resources } : {}) });
const pod = (containers: Container[], initContainers: Container[] = []): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers, initContainers } });

test('issue 19: cpu requests become shares (min 2) and v2 weights; limits a quota per 100 ms period', () => {
  assert.deepEqual([0, 1, 100, 250, 1000, 300_000].map(milliCpuToShares), [2, 2, 102, 256, 1024, 262_144]);
  assert.deepEqual([2, 1024, 262_144].map(sharesToWeight), [1, 39, 10_000]);
  assert.deepEqual(containerLimits(ctr('a', { requests: { cpu: '250m' }, limits: { cpu: '1.5', memory: '64Mi' } })),
    { cpuShares: 256, cpuQuotaUs: 150_000, memoryBytes: 64 * 2 ** 20 });
  assert.deepEqual(containerLimits(ctr('a')), { cpuShares: 2 });
});

test('issue 19: the pod cgroup gets the sums, a limit only when every container has one, init containers as the scheduler counts them', () => {
  const both = [ctr('a', { requests: { cpu: '100m' }, limits: { cpu: '200m', memory: '10Mi' } }), ctr('b', { requests: { cpu: '300m' }, limits: { cpu: '300m', memory: '20Mi' } })];
  assert.deepEqual(podLimits(pod(both)), { cpuShares: milliCpuToShares(400), cpuQuotaUs: 50_000, memoryBytes: 30 * 2 ** 20 });
  assert.deepEqual(podLimits(pod([...both, ctr('c')])), { cpuShares: milliCpuToShares(400) });
  const bigInit = ctr('init', { requests: { cpu: '2' }, limits: { cpu: '2', memory: '1Gi' } });
  assert.deepEqual(podLimits(pod(both, [bigInit])), { cpuShares: 2048, cpuQuotaUs: 200_000, memoryBytes: 2 ** 30 });
});

test('issue 19: the Node reports no more than the cgroups above the pods allow', (t) => {
  const tmp = makeTempDir('podling-bounds-');
  t.after(() => tmp.remove());
  const v1 = (ctl: string) => ({ kind: 'v1' as const, mount: path.join(tmp.dir, ctl), dir: path.join(tmp.dir, ctl, 'slice', 'podling', 'node-x') });
  const mem = v1('memory');
  const cpu = v1('cpu');
  for (const h of [mem, cpu]) mkdirSync(h.dir, { recursive: true });
  writeFileSync(path.join(mem.mount, 'slice', 'memory.limit_in_bytes'), String(2 ** 30));
  writeFileSync(path.join(mem.dir, 'memory.limit_in_bytes'), '9223372036854771712'); // v1's "no limit"
  writeFileSync(path.join(cpu.mount, 'slice', 'cpu.cfs_quota_us'), '50000');
  writeFileSync(path.join(cpu.mount, 'slice', 'cpu.cfs_period_us'), '100000');
  writeFileSync(path.join(cpu.dir, 'cpu.cfs_quota_us'), '-1');
  const bounds = cgroupBounds(mem, cpu);
  assert.deepEqual(bounds, { memoryBytes: 2 ** 30, cpus: 0.5 });
  const status = buildNodeStatus(hostNodeFacts({ nodeName: 'n', nodeIP: '127.0.0.1', port: 1, labels: {}, maxPods: 110 }, bounds), 'now');
  assert.deepEqual(status.capacity, { cpu: '500m', memory: '1048576Ki', pods: '110' });
  assert.deepEqual(status.allocatable, status.capacity);
  assert.deepEqual(cgroupBounds(undefined, undefined), {});
});
