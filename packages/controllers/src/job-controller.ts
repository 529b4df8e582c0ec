// The Job controller (k/k pkg/controller/job/job_controller.go). One sync of `namespace/name`:
//   1. claim the Job's pods (adopt orphans its selector matches, release those that stopped matching);
//   2. count: a finished pod still carrying the tracking finalizer is new — its UID goes to
//      status.uncountedTerminatedPods (Indexed: its index to completedIndexes) in a first status write; then its
//      finalizer is removed, and only then does it move into status.succeeded/failed. Every status write carries
//      the resourceVersion it was computed from, so a sync on a stale cache gets a conflict and retries instead of
//      counting a pod twice (or losing it);
//   3. decide: failures > backoffLimit (or, with restartPolicy OnFailure, container restarts reaching it) →
//      FailureTarget BackoffLimitExceeded; activeDeadlineSeconds passed since startTime → DeadlineExceeded;
//      enough successes → SuccessCriteriaMet. A met criterion stops the remaining pods; once no pod is left
//      uncounted, Complete or Failed follows with the same reason;
//   4. otherwise create or delete pods toward the wanted count (job-plan.ts), after the failure back-off.
// Pods whose Job is gone or finished lose their finalizer at once, so deleting them never hangs.
import { isStatusError, labelsMatch, selectorFromObject, type Pod } from '@podling/api';
import { EventRecorder, type Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { claimObjects } from './controller-ref-manager.ts';
import { Expectations } from './expectations.ts';
import { JobBackoff } from './job-backoff.ts';
import { finishedAs } from './job-conditions.ts';
import { hasTrackingFinalizer, removeFinalizerPatch } from './job-pods.ts';
import { syncJob } from './job-sync.ts';
import { claimCandidates, controlledBy, controllerRefOf, indexByController, keyOf, splitKey } from './owner-references.ts';
import { isPodActive } from './pod-state.ts';
import { QueueController } from './queue-controller.ts';
import type { SharedInformer, SharedInformers } from './shared-informers.ts';
import type { Job } from './workload-types.ts';

export const JOB_KIND = { apiVersion: 'batch/v1', kind: 'Job' };
/** Keys of single pods whose finalizer may have to come off because their Job is gone. */
const ORPHAN = 'orphan-pod:';

export interface JobControllerOptions {
  client: KubeClientApi;
  logger: Logger;
  informers: SharedInformers;
  workers?: number;
  now?: () => number;
}

export class JobController extends QueueController {
  protected readonly log: Logger;
  readonly events: EventRecorder;
  protected readonly informers: SharedInformer<Job | Pod>[];
  readonly expectations: Expectations;
  readonly backoff = new JobBackoff();
  /** UIDs of pods whose finalizer this controller removed and the pod informer has not yet shown without it. */
  readonly finalizerRemoved = new Set<string>();
  readonly jobs: Informer<Job>;
  readonly pods: Informer<Pod>;
  readonly now: () => number;

  constructor(readonly opts: JobControllerOptions) {
    super('job-controller', opts.workers ?? 5);
    this.now = opts.now ?? Date.now;
    this.expectations = new Expectations(this.now);
    this.log = opts.logger.child({ controller: 'job-controller' });
    this.events = new EventRecorder(opts.client, { component: 'job-controller', logger: this.log, now: () => new Date(this.now()) });
    const jobs = opts.informers.get<Job>('jobs');
    const pods = opts.informers.get<Pod>('pods');
    this.informers = [jobs, pods] as SharedInformer<Job | Pod>[];
    this.jobs = jobs.informer
      .on('add', (j) => this.queue.add(keyOf(j)))
      .on('update', (_o, j) => this.queue.add(keyOf(j)))
      .on('delete', (j) => this.onJobGone(j));
    this.pods = pods.informer
      .on('add', (p) => this.onPod(p, undefined))
      .on('update', (old, p) => this.onPod(p, old))
      .on('delete', (p) => this.onPodGone(p));
    indexByController(this.pods);
  }

  /** The Job controlling `pod`, if it is in the cache with the referenced UID. */
  ownerOf(pod: Pod): Job | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return undefined;
    const job = this.jobs.get(pod.metadata.namespace ?? '', ref.name);
    return job?.metadata.uid === ref.uid ? job : undefined;
  }

  private onPod(pod: Pod, old: Pod | undefined): void {
    if (old && old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    if (!hasTrackingFinalizer(pod)) this.finalizerRemoved.delete(pod.metadata.uid!);
    const owner = this.ownerOf(pod);
    if (owner) {
      if (pod.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(owner), pod.metadata.uid!);
      else if (!old) this.expectations.creationObserved(keyOf(owner));
      this.queue.add(keyOf(owner));
    } else if (hasTrackingFinalizer(pod)) {
      this.queue.add(ORPHAN + keyOf(pod));
    }
    if (old) {
      const before = this.ownerOf(old);
      if (before && before !== owner) this.queue.add(keyOf(before));
    }
    if (!owner && !controllerRefOf(pod) && isPodActive(pod)) {
      for (const j of this.jobs.list()) {
        if (j.metadata.namespace === pod.metadata.namespace && labelsMatch(selectorFromObject(j.spec.selector), pod.metadata.labels)) this.queue.add(keyOf(j));
      }
    }
  }

  /** Its pods still holding the finalizer are freed (after a live check) — no pod event may ever come for them. */
  private onJobGone(job: Job): void {
    this.expectations.delete(keyOf(job));
    this.backoff.delete(keyOf(job));
    for (const p of controlledBy(this.pods, job.metadata.uid, job.metadata.namespace ?? '')) {
      if (this.tracked(p)) this.queue.add(ORPHAN + keyOf(p));
    }
  }

  private onPodGone(pod: Pod): void {
    this.finalizerRemoved.delete(pod.metadata.uid!);
    const owner = this.ownerOf(pod);
    if (!owner) return;
    this.expectations.deletionObserved(keyOf(owner), pod.metadata.uid!);
    this.queue.add(keyOf(owner));
  }

  /** Whether the pod still holds the finalizer as far as this controller knows. */
  tracked(pod: Pod): boolean {
    return hasTrackingFinalizer(pod) && !this.finalizerRemoved.has(pod.metadata.uid!);
  }

  /** Removes the tracking finalizer; true when it is off (or the pod is gone). */
  async removeFinalizer(pod: Pod): Promise<boolean> {
    try {
      await this.opts.client.patch({ resource: 'pods', namespace: pod.metadata.namespace }, pod.metadata.name!, removeFinalizerPatch(pod), 'strategic');
    } catch (err) {
      if (!(isStatusError(err) && [404, 409].includes(err.code))) throw err;
    }
    this.finalizerRemoved.add(pod.metadata.uid!);
    return true;
  }

  protected async sync(key: string): Promise<void> {
    if (key.startsWith(ORPHAN)) return this.syncOrphan(key.slice(ORPHAN.length));
    const [namespace, name] = splitKey(key);
    const job = this.jobs.get(namespace, name);
    if (!job) { this.expectations.delete(key); return; }
    if (finishedAs(job)) {
      // A finished Job is never synced again; its pods only lose their finalizers.
      await Promise.all(controlledBy(this.pods, job.metadata.uid, namespace).filter((p) => this.tracked(p)).map((p) => this.removeFinalizer(p)));
      return;
    }
    const selector = selectorFromObject(job.spec.selector);
    const pods = await claimObjects<Pod>({
      client: this.opts.client, resource: 'pods', owner: job, ownerKind: JOB_KIND, ownerResource: 'jobs',
      matches: (p) => labelsMatch(selector, p.metadata.labels),
    }, claimCandidates(this.pods, job));
    await syncJob(this, key, job, pods);
  }

  /** A pod with the finalizer whose Job is not in the cache: confirm with a live GET, then free the pod. */
  private async syncOrphan(podKey: string): Promise<void> {
    const [namespace, name] = splitKey(podKey);
    const pod = this.pods.get(namespace, name);
    if (!pod || !this.tracked(pod) || this.ownerOf(pod)) return;
    const ref = controllerRefOf(pod);
    if (ref?.kind === 'Job') {
      try {
        const live = await this.opts.client.get<Job>({ resource: 'jobs', namespace }, ref.name);
        if (live.metadata.uid === ref.uid && !finishedAs(live)) return; // the cache lags; the Job's sync handles it
      } catch (err) {
        if (!(isStatusError(err) && err.code === 404)) throw err;
      }
    }
    await this.removeFinalizer(pod);
  }
}
