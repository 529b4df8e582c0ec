// client-go's rate-limiting work queue (util/workqueue) for `namespace/name` keys. Its guarantees, which every
// controller here relies on:
//   - a key waiting in the queue is there once, however often it was added (dedup);
//   - a key is handed to one worker at a time: added again while being processed, it is queued again only when
//     that worker calls done(), so a sync never races another sync of the same object;
//   - addRateLimited() retries with the limiter's back-off; forget() resets it after a success;
//   - addAfter() schedules a key for later (minReadySeconds, deadlines), the earliest request winning.
import { timerDelay } from '@podling/client';
import { ControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly getters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(private readonly limiter: RateLimiter = new ControllerRateLimiter(), private readonly now: () => number = Date.now) {}

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const getter = this.getters.shift();
    if (getter) { this.dirty.delete(key); this.processing.add(key); getter(key); } else this.queue.push(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) { this.add(key); return; }
    const at = this.now() + delayMs;
    const prior = this.waiting.get(key);
    if (prior && prior.at <= at) return;
    if (prior) clearTimeout(prior.timer);
    // Clamped: a far deadline (minReadySeconds of 1e22) would otherwise overflow to a 1 ms timer and spin the sync.
    const timer = setTimeout(() => { this.waiting.delete(key); this.add(key); }, timerDelay(delayMs));
    timer.unref?.();
    this.waiting.set(key, { at, timer });
  }

  addRateLimited(key: string): void { this.addAfter(key, this.limiter.when(key)); }
  forget(key: string): void { this.limiter.forget(key); }
  retries(key: string): number { return this.limiter.retries(key); }

  /** The next key to process, waiting for one; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** The worker finished `key`; if it was added meanwhile it is queued again now. */
  done(key: string): void {
    this.processing.delete(key);
    if (!this.dirty.has(key)) return;
    this.dirty.delete(key);
    this.add(key);
  }

  get length(): number { return this.queue.length; }

  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }
}

/**
 * Runs `workers` loops that take keys and call `sync`; a sync that throws is retried with back-off, one that
 * returns is forgotten. Resolves when the queue shuts down and every loop has finished its current key.
 */
export function runWorkers(queue: WorkQueue, workers: number, sync: (key: string) => Promise<void>, onError: (key: string, err: unknown) => void): Promise<void> {
  const loop = async () => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        onError(key, err);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  return Promise.all(Array.from({ length: workers }, loop)).then(() => undefined);
}
