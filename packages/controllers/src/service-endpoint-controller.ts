// What the Endpoints and EndpointSlice controllers share (k/k pkg/controller/endpoint and endpointslice): keys are
// Services; a Service change enqueues itself; a pod change enqueues every Service of its namespace whose selector
// matches the pod before or after the change; a change to an object the controller writes enqueues its Service, so
// a hand edit or a deletion is undone. sync(key) reads the caches and converges.
import type { Pod, Service, KubeObject } from '@podling/api';
import { EventRecorder, type Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { selects } from './endpoint-pods.ts';
import { keyOf } from './owner-references.ts';
import { QueueController } from './queue-controller.ts';
import type { SharedInformers } from './shared-informers.ts';

export interface EndpointControllerOptions {
  client: KubeClientApi;
  logger: Logger;
  informers: SharedInformers;
  workers?: number;
}

export abstract class ServiceEndpointController<W extends KubeObject> extends QueueController {
  protected readonly log: Logger;
  protected readonly events: EventRecorder;
  protected readonly informers: { start(): Promise<void>; stop(): Promise<void> }[];
  protected readonly services: Informer<Service>;
  protected readonly pods: Informer<Pod>;
  protected readonly written: Informer<W>;
  protected readonly client: KubeClientApi;

  /** `resource` is what the controller writes; `serviceOf` names the Service a written object belongs to. */
  constructor(opts: EndpointControllerOptions, component: string, resource: string, serviceOf: (o: W) => string | undefined) {
    super(component, opts.workers ?? 5);
    this.client = opts.client;
    this.log = opts.logger.child({ controller: component });
    this.events = new EventRecorder(opts.client, { component, logger: this.log });
    const services = opts.informers.get<Service>('services');
    const pods = opts.informers.get<Pod>('pods');
    const written = opts.informers.get<W>(resource);
    this.informers = [services, pods, written];
    const enqueueService = (s: Service) => this.queue.add(keyOf(s));
    this.services = services.informer.on('add', enqueueService).on('update', (_o, s) => enqueueService(s)).on('delete', enqueueService);
    this.pods = pods.informer
      .on('add', (p) => this.onPod(p))
      .on('update', (old, p) => { if (old.metadata.resourceVersion !== p.metadata.resourceVersion) this.onPod(p, old); })
      .on('delete', (p) => this.onPod(p));
    const enqueueOwner = (o: W) => {
      const svc = serviceOf(o);
      if (svc) this.queue.add(`${o.metadata.namespace}/${svc}`);
    };
    this.written = written.informer.on('update', (_o, w) => enqueueOwner(w)).on('delete', enqueueOwner);
  }

  private onPod(pod: Pod, old?: Pod): void {
    // Only the pod's namespace can hold Services that select it (namespace index of the informer).
    for (const svc of this.services.listIn(pod.metadata.namespace ?? '')) {
      if (selects(svc, pod) || (old && selects(svc, old))) this.queue.add(keyOf(svc));
    }
  }

  /** Pods of the Service's namespace (the informer's namespace index; the caller filters by selector). */
  protected podsOf(namespace: string): Pod[] {
    return this.pods.listIn(namespace);
  }
}
