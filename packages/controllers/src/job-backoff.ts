// The delay before a Job replaces a failed pod (k/k pkg/controller/job/backoff_utils.go): with n failures since
// the last success, wait 10 s × 2^(n−1) — at most 10 minutes, the code's MaxJobPodFailureBackOff — counted from
// the last failure. Kept per Job in memory, as Kubernetes does: a restarted controller starts without delays.

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

interface BackoffRecord { failuresAfterLastSuccess: number; lastFailureAt: number; seen: Set<string> }

export class JobBackoff {
  private readonly records = new Map<string, BackoffRecord>();

  /** Newly finished pods, each with its finish time; a pod seen before (a retried sync) is not counted again. */
  observe(key: string, pods: { uid: string; succeeded: boolean; at: number }[]): void {
    const r = this.records.get(key) ?? { failuresAfterLastSuccess: 0, lastFailureAt: 0, seen: new Set<string>() };
    const finished = pods.filter((p) => !r.seen.has(p.uid));
    if (!finished.length) return;
    for (const f of finished) r.seen.add(f.uid);
    const lastSuccess = Math.max(0, ...finished.filter((f) => f.succeeded).map((f) => f.at));
    if (lastSuccess > 0) r.failuresAfterLastSuccess = 0;
    for (const f of finished) {
      if (f.succeeded || f.at < lastSuccess) continue;
      r.failuresAfterLastSuccess++;
      r.lastFailureAt = Math.max(r.lastFailureAt, f.at);
    }
    this.records.set(key, r);
  }

  /** How long the Job must still wait before creating a pod (0: go ahead). */
  remainingMs(key: string, now: number): number {
    const r = this.records.get(key);
    if (!r || r.failuresAfterLastSuccess === 0) return 0;
    const delay = Math.min(DEFAULT_POD_FAILURE_BACKOFF_MS * 2 ** (r.failuresAfterLastSuccess - 1), MAX_POD_FAILURE_BACKOFF_MS);
    return Math.max(0, r.lastFailureAt + delay - now);
  }

  delete(key: string): void { this.records.delete(key); }
}
