// What a container's or a pod's resources become in its cgroup, with the kubelet's conversions
// (k/k pkg/kubelet/cm/helpers_linux.go: MilliCPUToQuota, MilliCPUToShares, ResourceConfigForPod;
// runc/libcontainer cgroups.ConvertCPUSharesToCgroupV2Value for cgroup v2's cpu.weight):
//   limits.memory  → memory.max (v2) / memory.limit_in_bytes (v1); swap off: memory.swap.max 0 / memsw = the limit
//   limits.cpu     → a CFS quota per 100 ms period: cpu.max "<quota> 100000" / cpu.cfs_quota_us
//   requests.cpu   → cpu.shares = milliCPU·1024/1000 (min 2, max 262144), or cpu.weight converted from it
// A pod's cgroup gets the sums (requests as the scheduler counts them: max(sum of containers, largest init
// container)); its limit only when every container has one, else it is unbounded, as in Kubernetes.
import { writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseQuantity, type Container, type Pod } from '@podling/api';

export interface ResourceLimits {
  memoryBytes?: number;
  cpuQuotaUs?: number;
  cpuShares: number;
}

export const CFS_PERIOD_US = 100_000;
const MIN_QUOTA_US = 1000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;

function milli(q: string | number | undefined): number | undefined {
  return q === undefined ? undefined : Math.ceil(parseQuantity(q) * 1000);
}

export function milliCpuToShares(m: number): number {
  return m === 0 ? MIN_SHARES : Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((m * 1024) / 1000)));
}

export function milliCpuToQuota(m: number): number {
  return Math.max(MIN_QUOTA_US, Math.floor((m * CFS_PERIOD_US) / 1000));
}

/** cgroup v2 cpu.weight (1..10000) for v1 shares (2..262144). */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - MIN_SHARES) * 9999) / (MAX_SHARES - MIN_SHARES));
}

export function containerLimits(c: Container): ResourceLimits {
  const limits = c.resources?.limits ?? {};
  const cpuLimit = milli(limits.cpu);
  const memory = limits.memory === undefined ? undefined : Math.floor(parseQuantity(limits.memory));
  return {
    cpuShares: milliCpuToShares(milli(c.resources?.requests?.cpu) ?? 0),
    ...(cpuLimit !== undefined ? { cpuQuotaUs: milliCpuToQuota(cpuLimit) } : {}),
    ...(memory !== undefined ? { memoryBytes: memory } : {}),
  };
}

export function podLimits(pod: Pod): ResourceLimits {
  const regular = pod.spec.containers;
  const init = pod.spec.initContainers ?? [];
  const all = [...init, ...regular];
  const total = (pick: (c: Container) => number | undefined): number | undefined => {
    const values = all.map(pick);
    if (values.some((v) => v === undefined)) return undefined;
    const sum = regular.reduce((s, c) => s + pick(c)!, 0);
    return Math.max(sum, ...init.map((c) => pick(c)!));
  };
  const cpuRequest = total((c) => milli(c.resources?.requests?.cpu) ?? 0)!;
  const cpuLimit = total((c) => milli(c.resources?.limits?.cpu));
  const memory = total((c) => (c.resources?.limits?.memory === undefined ? undefined : Math.floor(parseQuantity(c.resources.limits.memory))));
  return {
    cpuShares: milliCpuToShares(cpuRequest),
    ...(cpuLimit !== undefined ? { cpuQuotaUs: milliCpuToQuota(cpuLimit) } : {}),
    ...(memory !== undefined ? { memoryBytes: memory } : {}),
  };
}

/** Whether anything in the pod asks for a cpu or memory limit or a cpu request. */
export function podAsksForResources(pod: Pod): boolean {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers]
    .some((c) => c.resources?.limits?.cpu !== undefined || c.resources?.limits?.memory !== undefined || c.resources?.requests?.cpu !== undefined);
}

/** Writes the memory limit into a cgroup of the memory controller (nothing for no limit: the default is none). */
export function writeMemoryLimit(kind: 'v1' | 'v2', dir: string, bytes: number | undefined): void {
  if (bytes === undefined) return;
  if (kind === 'v2') {
    writeFileSync(path.join(dir, 'memory.max'), String(bytes));
    writeOptional(path.join(dir, 'memory.swap.max'), '0');
    // The whole container goes when one of its processes is OOM-killed (what the kubelet asks runc for on v2).
    writeOptional(path.join(dir, 'memory.oom.group'), '1');
    return;
  }
  writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(bytes));
  writeOptional(path.join(dir, 'memory.memsw.limit_in_bytes'), String(bytes));
  writeOptional(path.join(dir, 'memory.swappiness'), '0');
}

/** Writes the CFS quota (if any) and the shares/weight into a cgroup of the cpu controller. */
export function writeCpuLimits(kind: 'v1' | 'v2', dir: string, l: ResourceLimits): void {
  if (kind === 'v2') {
    writeFileSync(path.join(dir, 'cpu.weight'), String(sharesToWeight(l.cpuShares)));
    if (l.cpuQuotaUs !== undefined) writeFileSync(path.join(dir, 'cpu.max'), `${l.cpuQuotaUs} ${CFS_PERIOD_US}`);
    return;
  }
  writeFileSync(path.join(dir, 'cpu.shares'), String(l.cpuShares));
  if (l.cpuQuotaUs === undefined) return;
  writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
  writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(l.cpuQuotaUs));
}

/**
 * Gives back what is still charged to a memory cgroup whose processes are gone (mostly page cache of the files they
 * wrote or read), so that its rmdir frees it. Otherwise the kernel keeps it as a dying memcg until memory pressure
 * reclaims those pages (a few runs of bench/pod-startup left over 200), each holding its kernel structures and
 * counted in its parents' usage. This is what Kubernetes planned for pod cgroups
 * (kubernetes/kubernetes#29927, opencontainers/runc#984): cgroup v1 `memory.force_empty`, whose typical use is just before rmdir
 * (Documentation/admin-guide/cgroup-v1/memory.rst), and v2's `memory.reclaim` (Documentation/admin-guide/cgroup-v2.rst).
 * Asynchronous: the reclaim runs in the writing thread, not the agent's event loop. Best effort: a page the kernel
 * cannot reclaim now keeps the memcg as before.
 */
export async function releaseMemory(kind: 'v1' | 'v2', dir: string): Promise<void> {
  if (kind === 'v1') return writeFile(path.join(dir, 'memory.force_empty'), '0');
  const charged = (await readFile(path.join(dir, 'memory.current'), 'utf8')).trim();
  if (charged !== '0') await writeFile(path.join(dir, 'memory.reclaim'), charged);
}

/** Swap files are absent without swap accounting: then there is no swap to turn off. */
function writeOptional(file: string, value: string): void {
  try { writeFileSync(file, value); } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
