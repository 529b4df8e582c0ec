// CrashLoopBackOff as the kubelet computes it (client-go util/flowcontrol/backoff.go, used by kuberuntime
// doBackOff). One entry per container key: the first restart after an exit is immediate and creates the entry with
// the base delay; each later exit waits `delay` counted from that exit, then doubles it up to `max`. An entry whose
// last update is older than 2×max (600 s by default) is forgotten, so a container that ran for 10 minutes restarts
// at once again.

export interface BackoffEntry { delayMs: number; lastUpdateMs: number }

export interface BackoffDecision {
  /** True when the container may start now (the entry has been advanced). */
  startNow: boolean;
  /** When it may start (epoch ms); equals `nowMs` when startNow. */
  notBeforeMs: number;
  /** The delay the kubelet names in `back-off <delay> restarting failed container=...`. */
  delayMs: number;
  entry: BackoffEntry | undefined;
}

export class CrashLoopBackoff {
  constructor(readonly baseMs: number, readonly maxMs: number) {}

  /**
   * Decides a restart of a container that exited at `finishedAtMs`. Pure: the caller persists `entry`.
   * Mirrors doBackOff: in back-off while now − finishedAt < entry.delay; otherwise Next(finishedAt).
   */
  decide(entry: BackoffEntry | undefined, finishedAtMs: number, nowMs: number): BackoffDecision {
    const live = entry && !this.expired(entry, finishedAtMs) ? entry : undefined;
    if (live && nowMs - finishedAtMs < live.delayMs) {
      return { startNow: false, notBeforeMs: finishedAtMs + live.delayMs, delayMs: live.delayMs, entry: live };
    }
    const next: BackoffEntry = live
      ? { delayMs: Math.min(live.delayMs * 2, this.maxMs), lastUpdateMs: finishedAtMs }
      : { delayMs: Math.min(this.baseMs, this.maxMs), lastUpdateMs: finishedAtMs };
    return { startNow: true, notBeforeMs: nowMs, delayMs: next.delayMs, entry: next };
  }

  private expired(entry: BackoffEntry, eventMs: number): boolean {
    return eventMs - entry.lastUpdateMs > 2 * this.maxMs;
  }
}

/** `back-off 20s restarting failed container=app pod=web_default(<uid>)` (kuberuntime_manager.go). */
export function backoffMessage(delayMs: number, container: string, pod: { name: string; namespace: string; uid: string }): string {
  return `back-off ${goDuration(delayMs)} restarting failed container=${container} pod=${pod.name}_${pod.namespace}(${pod.uid})`;
}

/** Go's time.Duration String() for whole-millisecond values: 10s, 1m20s, 5m0s, 500ms. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Number(((ms % 60_000) / 1000).toFixed(3));
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
