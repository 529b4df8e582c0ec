// The set of pod workers, one per UID. Informer events are routed here; a worker removes itself when its pod is
// fully terminated. Pods are also found by namespace/name for the log endpoint (the newest UID wins).
import type { Pod } from '@podling/api';
import type { PodRecord } from './pod-record.ts';
import { PodWorker } from './pod-worker.ts';
import type { WorkerDeps } from './worker-deps.ts';

export class PodWorkers {
  private readonly workers = new Map<string, PodWorker>();
  private stopping = false;

  constructor(private readonly deps: WorkerDeps, private readonly recovered: Map<string, PodRecord>) {}

  update(pod: Pod): void {
    const uid = pod.metadata.uid;
    if (!uid || this.stopping) return;
    const existing = this.workers.get(uid);
    if (existing) { existing.update(pod); return; }
    this.deps.log.debug({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, uid }, 'new pod worker');
    const w = new PodWorker(pod, this.recovered.get(uid), this.deps);
    this.recovered.delete(uid);
    this.workers.set(uid, w);
    void w.done.then(() => { if (this.workers.get(uid) === w && !w.isStopped) this.workers.delete(uid); });
  }

  gone(pod: Pod): void {
    const uid = pod.metadata.uid;
    if (uid) this.workers.get(uid)?.podGone();
  }

  byName(namespace: string, name: string): PodWorker | undefined {
    let found: PodWorker | undefined;
    for (const w of this.workers.values()) {
      const m = w.currentPod.metadata;
      if (m.namespace === namespace && m.name === name && !w.isGone) found = w;
    }
    return found;
  }

  get size(): number { return this.workers.size; }

  has(uid: string): boolean { return this.workers.has(uid); }

  /** Agent shutdown: every worker stops managing; processes stay. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }
}
