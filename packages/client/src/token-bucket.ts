// A token bucket, as client-go's flowcontrol.NewTokenBucketRateLimiter (staging/src/k8s.io/client-go/util/flowcontrol/
// throttle.go): it starts full with `burst` tokens and refills `qps` per second up to `burst`. The caller passes the
// time, so one bucket can run on a fake wall clock (the event spam filter under a test's clock) and another on a
// monotonic one (a send rate limit that arms real timers).
export class TokenBucket {
  private tokens: number;
  private at: number | undefined;

  constructor(private readonly qps: number, private readonly burst: number) {
    this.tokens = burst;
  }

  /** Takes one token at time `nowMs` if one is there. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Takes one token at time `nowMs` even if it is not there yet, going into debt like golang.org/x/time/rate's
   *  Reserve; returns the milliseconds until that token exists (0: it did). */
  reserve(nowMs: number): number {
    this.refill(nowMs);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  /** Milliseconds from `nowMs` until a token is there (0: one is). */
  waitMs(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.qps);
  }

  private refill(nowMs: number): void {
    // A clock that steps back (the wall clock, a test's) refills nothing until it is past the last refill again.
    if (this.at !== undefined && nowMs <= this.at) return;
    if (this.at !== undefined) this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.at) * this.qps) / 1000);
    this.at = nowMs;
  }
}
