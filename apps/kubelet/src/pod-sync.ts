// The agent's pod side toward the apiserver, the same for a host agent (kubelet.ts) and a hollow node
// (hollow-node.ts): the informer of the pods bound here (fieldSelector spec.nodeName, as the kubelet's), the
// Services informer, one worker per pod, the status manager and the event recorder. Only the container runtime
// and the record store differ between the two, so both make the same requests at the same rates.
import type { Pod, Service } from '@podling/api';
import { Informer, type KubeClientApi } from '@podling/client';
import { kubeletEventRecorder } from './kubelet-event-recorder.ts';
import type { Logger } from './logger.ts';
import type { PodRecord } from './pod-record.ts';
import { PodWorkers } from './pod-workers.ts';
import { StatusManager } from './status-manager.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** The longest the agent holds pods back waiting for the first list of Services. */
const SERVICES_SYNC_WAIT_MS = 5000;

export interface PodSyncOptions {
  client: KubeClientApi;
  nodeName: string;
  log: Logger;
  /** The node's side of every worker; the status, event and service parts are made here. */
  workers: Omit<WorkerDeps, 'status' | 'events' | 'client' | 'log' | 'services'>;
  /** Records a previous agent left, by pod UID: their workers adopt them. */
  recovered?: Map<string, PodRecord>;
}

export class PodSync {
  readonly status: StatusManager;
  readonly workers: PodWorkers;
  readonly informer: Informer<Pod>;
  /** Also the service proxy's source of Services. */
  readonly services: Informer<Service>;
  /** Settles with the first list of Services (set by start()). */
  servicesSynced: Promise<void> | undefined;

  constructor(o: PodSyncOptions) {
    this.status = new StatusManager(o.client, o.log.child({ component: 'status' }),
      (k) => this.informer.get(k.namespace, k.name)?.metadata.uid === k.uid);
    const events = kubeletEventRecorder(o.client, o.nodeName, o.log.child({ component: 'events' }), this.status);
    this.workers = new PodWorkers({
      ...o.workers, status: this.status, events, client: o.client, log: o.log.child({ component: 'pods' }), services: () => this.services.list(),
    }, o.recovered ?? new Map());
    const workers = this.workers;
    this.informer = new Informer<Pod>(o.client, {
      resource: 'pods', fieldSelector: `spec.nodeName=${o.nodeName}`, logger: o.log.child({ component: 'informer' }),
      onAdd: (p) => workers.update(p), onUpdate: (_o, p) => workers.update(p), onDelete: (p) => workers.gone(p),
    });
    this.services = new Informer<Service>(o.client, { resource: 'services', logger: o.log.child({ component: 'services' }) });
  }

  /**
   * Like the kubelet, pods start once the Services are known, so their environment variables are complete; an
   * apiserver that does not answer for Services delays pods by at most SERVICES_SYNC_WAIT_MS. Resolves when the
   * services are known; the returned promise settles after the first list of pods.
   */
  async start(): Promise<{ synced: Promise<void> }> {
    let waited: NodeJS.Timeout | undefined;
    this.servicesSynced = this.services.start();
    await Promise.race([this.servicesSynced.catch(() => {}), new Promise((r) => { waited = setTimeout(r, SERVICES_SYNC_WAIT_MS); })]);
    clearTimeout(waited);
    return { synced: this.informer.start() };
  }

  /** Stops watching; the workers stop managing their pods (a host agent's processes keep running). */
  async stop(): Promise<void> {
    await this.informer.stop().catch(() => {});
    await this.services.stop().catch(() => {});
    this.status.stop();
    await this.workers.stopAll();
  }
}
