// client-go's DefaultControllerRateLimiter (util/workqueue/default_rate_limiters.go): the delay before retrying a
// key is the larger of a per-key exponential back-off (5 ms doubling to 1000 s) and an overall token bucket
// (10 retries/s, burst 100) that keeps a storm of failing keys from hammering the apiserver. Only retries pass
// through here; first attempts are never delayed.
import { TokenBucket } from '@podling/client';

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
  private readonly bucket: TokenBucket;

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
    qps = 10,
    burst = 100,
    private readonly now: () => number = Date.now,
  ) {
    this.bucket = new TokenBucket(qps, burst);
  }

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const exp = Math.min(this.baseMs * 2 ** n, this.maxMs);
    return Math.max(exp, this.bucket.reserve(this.now()));
  }

  forget(key: string): void { this.failures.delete(key); }
  retries(key: string): number { return this.failures.get(key) ?? 0; }
}
