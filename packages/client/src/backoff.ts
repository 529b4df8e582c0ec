// Retry delays for the informer's reconnect loop: 200 ms doubling to 5 s, each with ±20% jitter so many clients
// restarted together by one apiserver restart do not reconnect in lockstep.
import { timerDelay } from './timer-delay.ts';

export class Backoff {
  private next: number;
  constructor(private readonly initialMs = 200, private readonly maxMs = 5000, private readonly jitter = 0.2) {
    this.next = initialMs;
  }

  /** The delay to wait now; the following one doubles (up to the cap). */
  nextDelay(): number {
    const base = this.next;
    this.next = Math.min(this.next * 2, this.maxMs);
    return Math.round(base * (1 - this.jitter + Math.random() * 2 * this.jitter));
  }

  reset(): void { this.next = this.initialMs; }
}

/** Resolves after `ms`, or as soon as `signal` aborts. Never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, timerDelay(ms));
    signal.addEventListener('abort', done);
  });
}
