// client-go's DefaultControllerRateLimiter (util/workqueue/default_rate_limiters.go): the delay before retrying a
// key is the larger of a per-key exponential back-off (5 ms doubling to 1000 s) and an overall token bucket
// (10 retries/s, burst 100) that keeps a storm of failing keys from hammering the apiserver. Only retries pass
// through here; first attempts are never delayed.

export interface RateLimiter {
  /** How long to wait before `key` is tried again; counts as one more failure of `key`. */
  when(key: string): number;
  /** The key succeeded: its back-off starts over. */
  forget(key: string): void;
  /** Failures of `key` since its last forget. */
  retries(key: string): number;
}

export class ControllerRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  private tokens: number;
  private last: number;

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
    private readonly qps = 10,
    private readonly burst = 100,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const exp = Math.min(this.baseMs * 2 ** n, this.maxMs);
    return Math.max(exp, this.reserve());
  }

  forget(key: string): void { this.failures.delete(key); }
  retries(key: string): number { return this.failures.get(key) ?? 0; }

  /** Takes one token, going into debt like rate.Limiter.Reserve; returns how long until that token exists. */
  private reserve(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }
}
