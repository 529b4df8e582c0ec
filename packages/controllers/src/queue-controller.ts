// The skeleton every workload controller shares (client-go's controller pattern): informer handlers only enqueue
// `namespace/name` keys; `workers` loops take keys from one WorkQueue and call `sync(key)`, which reads the caches
// and converges; a failed sync is retried with back-off. Workers start only after every informer has listed once,
// so no sync ever judges an empty cache. stop() ends the loops after their current key.
import type { Logger } from 'pino';
import type { EventRecorder } from '@podling/client';
import { runWorkers, WorkQueue } from './work-queue.ts';

export abstract class QueueController {
  readonly queue = new WorkQueue();
  protected abstract readonly log: Logger;
  protected abstract readonly events: EventRecorder;
  protected abstract readonly informers: { start(): Promise<void>; stop(): Promise<void> }[];
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(protected readonly name: string, private readonly workers: number) {}

  protected abstract sync(key: string): Promise<void>;

  async start(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.start()));
    if (this.stopped) return;
    this.running = runWorkers(this.queue, this.workers, (key) => this.sync(key),
      (key, err) => this.log.warn({ err, key }, 'sync failed; will retry'));
    this.log.info(`${this.name} started`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.shutDown();
    await Promise.all(this.informers.map((i) => i.stop()));
    await this.running;
    await this.events.flush();
  }
}
