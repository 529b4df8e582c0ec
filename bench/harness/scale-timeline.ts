// What a scale run's watches showed: each pod's times (ADDED, bound, Running) and the nodes that ever left Ready.
import type { Node, Pod } from '@podling/api';
import { isProbePod } from './api-probe.ts';
import { PACED_PREFIX } from './paced-pods.ts';

/** Each pod's times (performance.now()) as the watch showed them. */
export class Timeline {
  readonly added = new Map<string, number>();
  readonly bound = new Map<string, number>();
  readonly running = new Map<string, number>();
  /** The latency phase's pods (harness/paced-pods.ts), apart from the burst's. */
  readonly pacedRunning = new Map<string, number>();
  notReadyNodes = new Set<string>();
  pod(type: string, p: Pod): void {
    const name = p.metadata?.name;
    if (!name || isProbePod(name) || type === 'BOOKMARK' || type === 'ERROR' || type === 'DELETED') return;
    const now = performance.now();
    if (name.startsWith(PACED_PREFIX)) {
      if (p.status?.phase === 'Running' && !this.pacedRunning.has(name)) this.pacedRunning.set(name, now);
      return;
    }
    if (!this.added.has(name)) this.added.set(name, now);
    if (p.spec?.nodeName && !this.bound.has(name)) this.bound.set(name, now);
    if (p.status?.phase === 'Running' && !this.running.has(name)) this.running.set(name, now);
  }
  node(type: string, n: Node): void {
    if (type === 'BOOKMARK' || type === 'ERROR' || !n.metadata?.name) return;
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    if (ready && ready !== 'True') this.notReadyNodes.add(n.metadata.name);
  }
}

/** The most events of `times` inside any one-second window. */
export function peakPerSecond(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] > 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
