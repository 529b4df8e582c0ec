// One informer per resource for every controller in this process, like client-go's SharedInformerFactory: each
// change to a pod is received, parsed and cached once instead of once per controller. The scheduler, the node
// lifecycle controller and pod GC each watched all pods and all nodes on their own: three watch streams from the
// apiserver to itself and three parsed copies of every pod in its memory.
//
// Contract: handlers are registered (informer.on or the options) before the first start(); an informer is started
// by its first user and stopped when its last user stops.
import type { KubeObject } from '@podling/api';
import { Informer, type InformerLogger, type KubeClientApi } from '@podling/client';

export interface SharedInformer<T extends KubeObject> {
  readonly informer: Informer<T>;
  /** Resolves once the informer's first list has been delivered. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Entry { informer: Informer<KubeObject>; users: number; started: Promise<void> | undefined }

export class SharedInformers {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly client: KubeClientApi, private readonly logger: InformerLogger) {}

  /** The informer of `resource` (cluster-wide, or in `namespace`), shared with every other user of the same key. */
  get<T extends KubeObject>(resource: string, namespace?: string): SharedInformer<T> {
    const key = `${resource}/${namespace ?? ''}`;
    let e = this.entries.get(key);
    if (!e) {
      e = { informer: new Informer<KubeObject>(this.client, { resource, namespace, logger: this.logger }), users: 0, started: undefined };
      this.entries.set(key, e);
    }
    const entry = e;
    let mine = false;
    return {
      informer: entry.informer as unknown as Informer<T>,
      start: () => {
        if (!mine) { mine = true; entry.users++; }
        entry.started ??= entry.informer.start();
        return entry.started;
      },
      stop: async () => {
        if (!mine) return;
        mine = false;
        if (--entry.users === 0) await entry.informer.stop();
      },
    };
  }
}
