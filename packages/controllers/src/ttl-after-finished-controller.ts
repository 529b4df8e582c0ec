// The TTL-after-finished controller (k/k pkg/controller/ttlafterfinished): a Job with ttlSecondsAfterFinished is
// deleted that many seconds after its Complete or Failed condition's lastTransitionTime. Before deleting, a live
// GET confirms the Job is still finished and expired (the TTL may have been raised meanwhile); the DELETE carries
// its UID as a precondition and, as in Kubernetes, propagationPolicy Foreground, so the Job stays visible until
// the garbage collector has removed its pods.
import { isStatusError } from '@podling/api';
import { EventRecorder, type Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { finishedAt } from './job-conditions.ts';
import { keyOf, splitKey } from './owner-references.ts';
import { QueueController } from './queue-controller.ts';
import type { SharedInformer, SharedInformers } from './shared-informers.ts';
import type { Job } from './workload-types.ts';

export interface TtlAfterFinishedOptions {
  client: KubeClientApi;
  logger: Logger;
  informers: SharedInformers;
  workers?: number;
  now?: () => number;
}

/** When `job` expires (ms), or undefined when it has no TTL or has not finished. */
export function expiresAt(job: Job): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  const at = finishedAt(job);
  if (ttl === undefined || ttl === null || at === undefined || job.metadata.deletionTimestamp) return undefined;
  return at + ttl * 1000;
}

export class TtlAfterFinishedController extends QueueController {
  protected readonly log: Logger;
  protected readonly events: EventRecorder;
  protected readonly informers: SharedInformer<Job>[];
  private readonly jobs: Informer<Job>;
  private readonly now: () => number;

  constructor(private readonly opts: TtlAfterFinishedOptions) {
    super('ttl-after-finished-controller', opts.workers ?? 5);
    this.now = opts.now ?? Date.now;
    this.log = opts.logger.child({ controller: 'ttl-after-finished-controller' });
    this.events = new EventRecorder(opts.client, { component: 'ttl-after-finished-controller', logger: this.log });
    const jobs = opts.informers.get<Job>('jobs');
    this.informers = [jobs];
    const enqueue = (j: Job) => { if (expiresAt(j) !== undefined) this.queue.add(keyOf(j)); };
    this.jobs = jobs.informer.on('add', enqueue).on('update', (_o, j) => enqueue(j));
  }

  protected async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const cached = this.jobs.get(namespace, name);
    if (!cached || !this.expired(key, cached)) return;
    const ref = { resource: 'jobs', namespace };
    try {
      const live = await this.opts.client.get<Job>(ref, name);
      if (!this.expired(key, live)) return;
      await this.opts.client.delete(ref, name, { propagationPolicy: 'Foreground', preconditions: { uid: live.metadata.uid } });
      this.log.info({ job: key }, 'deleted finished job after its TTL');
    } catch (err) {
      if (isStatusError(err) && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }

  /** Expired now; if it expires later, the key comes back then. */
  private expired(key: string, job: Job): boolean {
    const at = expiresAt(job);
    if (at === undefined) return false;
    const wait = at - this.now();
    if (wait > 0) { this.queue.addAfter(key, wait); return false; }
    return true;
  }
}
