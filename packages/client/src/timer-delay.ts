// Node's timers take a signed 32-bit delay: anything longer (a grace period of 100,000,000 s, an Infinity
// deadline) is replaced by 1 ms with a TimeoutOverflowWarning, so a loop waiting for a far deadline wakes every
// millisecond and floods the log (issue 14.7). Every computed delay goes through timerDelay(): waiting the longest
// possible time instead is safe because every waiter re-reads its deadline when it wakes.

/** The longest delay setTimeout honours (2^31 − 1 ms, about 24.8 days). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** `ms` as a delay setTimeout takes literally: negative or NaN → 0, too long or Infinity → MAX_TIMER_DELAY_MS. */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(Math.ceil(ms), MAX_TIMER_DELAY_MS);
}
