// Pods for the agent benchmarks (agent-footprint, probe-cost): create a batch through the API, list them, delete
// them all and wait until they are gone, and kill what a stopped agent left behind.
import { existsSync } from 'node:fs';
import { descendants, isGroupLeader, type RunningKubelet, waitFor } from '@podling/testkit';
import { namedPodBody } from './pod-bodies.ts';

export interface BenchPod {
  metadata: { name: string };
  status?: { phase?: string; containerStatuses?: { ready: boolean }[] };
}

export async function pods(url: string): Promise<BenchPod[]> {
  const res = await fetch(`${url}/api/v1/namespaces/default/pods`);
  return ((await res.json()) as { items: BenchPod[] }).items;
}

/** Creates `<prefix>-0` … `<prefix>-<count-1>` with `spec`, 20 at a time. */
export async function createPods(url: string, count: number, prefix: string, spec: Record<string, unknown>): Promise<void> {
  const CONCURRENCY = 20;
  for (let i = 0; i < count; i += CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count - i) }, async (_, j) => {
      const name = `${prefix}-${i + j}`;
      const res = await fetch(`${url}/api/v1/namespaces/default/pods`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: namedPodBody(name, {}, spec),
      });
      if (res.status !== 201) throw new Error(`create ${name}: HTTP ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }));
  }
}

export async function deleteAll(url: string): Promise<void> {
  await Promise.all((await pods(url)).map(async (p) => {
    (await fetch(`${url}/api/v1/namespaces/default/pods/${p.metadata.name}`, { method: 'DELETE' })).arrayBuffer();
  }));
  await waitFor(async () => (await pods(url)).length === 0, { timeoutMs: 60_000, message: 'all benchmark pods deleted' });
}

/** Last resort after the kubelet is gone: kill the process groups its wrappers still lead. */
export function killLeftovers(groupLeaders: number[]): number {
  let killed = 0;
  for (const pid of groupLeaders) {
    if (!existsSync(`/proc/${pid}`)) continue;
    try { process.kill(-pid, 'SIGKILL'); killed++; } catch { /* gone, or not a group leader any more */ }
  }
  return killed;
}

/**
 * Ends a benchmark cluster without leaving pods behind: deletes every pod through the API, stops the kubelet, then
 * kills whatever process groups its wrappers (`leaders`, plus those found now) still lead. Problems go to `notes`.
 */
export async function stopBenchCluster(api: { url: string; stop(): Promise<unknown> } | undefined, kubelet: RunningKubelet | undefined,
  leaders: number[], notes: string[]): Promise<void> {
  if (api && kubelet) {
    try { await deleteAll(api.url); } catch (e) { notes.push(`cleanup: ${(e as Error).message}`); }
  }
  const all = kubelet ? [...new Set([...leaders, ...descendants(kubelet.process.pid).filter(isGroupLeader)])] : leaders;
  await kubelet?.stop();
  const killed = killLeftovers(all);
  if (killed) notes.push(`cleanup: killed ${killed} leftover pod process groups`);
  await api?.stop();
}
