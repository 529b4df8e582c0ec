// What every pod worker of an agent shares: the node's settings and the agent-wide components (runtime, cgroups,
// state store, status and event writers). Built once by kubelet.ts.
import type { Service } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
import type { CrashLoopBackoff } from './crashloop-backoff.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { Logger } from './logger.ts';
import type { ProcessRuntime } from './process-runtime.ts';
import type { PodStateStore } from './pod-state-store.ts';
import type { StatusManager } from './status-manager.ts';
import type { DescendantTracker } from './descendant-tracker.ts';
import type { ContainerCgroups } from './container-cgroup.ts';
import type { UserNamespaceIds } from './user-namespace-ids.ts';
import type { NetworkDeps } from './pod-sandbox-network.ts';

export interface WorkerDeps {
  rootDir: string;
  nodeIP: string;
  namespaces: boolean;
  mountBin: string;
  logMaxBytes: number;
  backoff: CrashLoopBackoff;
  runtime: ProcessRuntime;
  cgroups: ContainerCgroups;
  tracker: DescendantTracker;
  userNamespaces: UserNamespaceIds;
  /** The node's pod networks (or why it has none) and pod range (pod-sandbox-network.ts). */
  network: NetworkDeps;
  defaultHostUsers: boolean;
  store: PodStateStore;
  status: StatusManager;
  events: EventRecorder;
  client: KubeClientApi;
  log: Logger;
  /** Every Service the agent's informer holds (for the containers' Service environment variables). */
  services?: () => Service[];
}
