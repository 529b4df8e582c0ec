// What the workload controllers ask of a pod (k/k pkg/controller/controller_utils.go and pkg/api/v1/pod):
// active = not finished and not being deleted; ready = condition Ready True; available = ready for at least
// minReadySeconds by the Ready condition's lastTransitionTime, read on the controller's own clock.
import type { Pod } from '@podling/api';

export function isPodActive(p: Pod): boolean {
  return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata.deletionTimestamp;
}

export function isPodTerminal(p: Pod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

export function isPodReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** When the pod turned Ready (ms), or undefined while it is not Ready. */
export function readySince(p: Pod): number | undefined {
  const c = p.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  if (!c) return undefined;
  const t = Date.parse(c.lastTransitionTime ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** Ready for at least `minReadySeconds` at `now`. */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  const since = readySince(p);
  if (since === undefined) return false;
  return minReadySeconds <= 0 || since + minReadySeconds * 1000 <= now;
}

/** The earliest moment one of `pods` that is ready but not yet available becomes available, if any. */
export function nextAvailableAt(pods: Pod[], minReadySeconds: number, now: number): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let next: number | undefined;
  for (const p of pods) {
    const since = readySince(p);
    if (since === undefined) continue;
    const at = since + minReadySeconds * 1000;
    if (at > now && (next === undefined || at < next)) next = at;
  }
  return next;
}
