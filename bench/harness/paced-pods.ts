// The latency phase of a scale run (ClusterLoader2's density test does the same after its saturation phase): pods
// created one at a time at a fixed rate the control plane sustains, each timed from sending its create to the watch
// showing it Running. Kubernetes states its pod-startup SLO for a cluster that is not overloaded; a burst of
// thousands of pods at once measures the scheduler's backlog instead, which the scale run reports beside this.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pod } from '@podling/api';
import type { KubeClient } from '@podling/client';
import { waitFor } from '@podling/testkit';

export const PACED_PREFIX = 'paced-';

/** Creates `count` pods at `perSecond`; resolves with each one's send → Running time (ms). `runningAt(name)` is when
 *  the caller's watch of all pods first showed it Running (performance.now()), if it has. */
export async function runPacedPods(client: KubeClient, count: number, perSecond: number, runningAt: (name: string) => number | undefined): Promise<number[]> {
  const sent = new Map<string, number>();
  const t0 = performance.now();
  const creates: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = t0 + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await sleep(wait);
    const name = `${PACED_PREFIX}${i}`;
    sent.set(name, performance.now());
    creates.push(client.create<Pod>({ resource: 'pods', namespace: 'default' }, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'paced' } },
      spec: { containers: [{ name: 'app', image: 'app:1', command: ['sleep', 'infinity'] }] },
    }));
  }
  await Promise.all(creates);
  await waitFor(() => [...sent.keys()].every((n) => runningAt(n) !== undefined), { timeoutMs: 60_000, intervalMs: 50, message: `${count} paced pods Running` });
  return [...sent].map(([n, t]) => runningAt(n)! - t);
}
