// kubectl's pod columns for the dashboard, computed by the apiserver's own printer (kubectl/pod-table.ts) so STATUS,
// READY and RESTARTS follow exactly the rules `kubectl get pods` shows. Pods are replaced, never mutated, on watch
// events, so a row is cached per object and per second of `now`.
import type { Pod } from '@podling/api';
import { podPrinter, podStatusText } from '../../src/kubectl/pod-table.ts';

export interface PodRow { name: string; ready: string; status: string; restarts: string; age: string; ip: string; node: string }

const rows = new WeakMap<Pod, { at: number; row: PodRow }>();
const statuses = new WeakMap<Pod, string>();

export function podRow(pod: Pod, now: number): PodRow {
  const second = Math.floor(now / 1000);
  const hit = rows.get(pod);
  if (hit && hit.at === second) return hit.row;
  const c = podPrinter.row(pod, now).cells.map(String);
  const row = { name: c[0], ready: c[1], status: c[2], restarts: c[3], age: c[4], ip: c[5], node: c[6] };
  rows.set(pod, { at: second, row });
  return row;
}

/** STATUS alone (filtering all pods needs it, rendering only the visible ones needs the rest). */
export function podStatus(pod: Pod): string {
  let s = statuses.get(pod);
  if (s === undefined) { s = podStatusText(pod); statuses.set(pod, s); }
  return s;
}
