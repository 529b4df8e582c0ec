// What every pod worker of an agent shares: the node's settings and the agent-wide components (container runtime,
// record store, status and event writers). Built once per node (kubelet.ts, hollow-node.ts).
import type { Service } from '@podling/api';
import type { EventRecorder, KubeClientApi } from '@podling/client';
import type { CrashLoopBackoff } from './crashloop-backoff.ts';
import type { Logger } from './logger.ts';
import type { ContainerRuntime } from './container-runtime.ts';
import type { PodRecordStore } from './pod-state.ts';
import type { StatusManager } from './status-manager.ts';
import type { UserNamespaceIds } from './user-namespace-ids.ts';

export interface WorkerDeps {
  rootDir: string;
  nodeIP: string;
  namespaces: boolean;
  mountBin: string;
  backoff: CrashLoopBackoff;
  /** Where containers run: host processes, or nothing at all on a hollow node (container-runtime.ts). */
  runtime: ContainerRuntime;
  userNamespaces: UserNamespaceIds;
  defaultHostUsers: boolean;
  store: PodRecordStore;
  status: StatusManager;
  events: EventRecorder;
  client: KubeClientApi;
  log: Logger;
  /** Every Service the agent's informer holds (for the containers' Service environment variables). */
  services?: () => Service[];
}
