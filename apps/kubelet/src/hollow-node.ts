// One hollow node (kubemark's hollow kubelet): the agent's own Node registration, status and Lease heartbeats
// (node-registrar.ts) and pod side (pod-sync.ts: the informer of the pods bound here, workers, status manager,
// events) over the hollow runtime, which runs nothing. Toward the apiserver it is an agent: same requests, same
// periods; what it lacks is the host side — the agent's HTTP server (logs, exec), pod networks and cgroups.
import type { KubeClientApi } from '@podling/client';
import { CrashLoopBackoff } from './crashloop-backoff.ts';
import { HollowRuntime, type HollowBehaviour } from './hollow-runtime.ts';
import type { Logger } from './logger.ts';
import { NodeRegistrar, type NodeStatusPeriods } from './node-registrar.ts';
import type { NodeFacts } from './node-object.ts';
import { PodSync } from './pod-sync.ts';
import { UserNamespaceIds } from './user-namespace-ids.ts';

export interface HollowNodeOptions {
  facts: NodeFacts;
  /** Third octet range of its fake pod addresses, e.g. "100.64.3" (hollow-runtime.ts). */
  podRange: string;
  behaviour: HollowBehaviour;
  statusPeriods: NodeStatusPeriods;
  backoff: { baseMs: number; maxMs: number };
  /** Names a directory the node never writes to; the workers' paths are built under it. */
  rootDir: string;
}

export class HollowNode {
  private readonly registrar: NodeRegistrar;
  private readonly pods: PodSync;

  constructor(o: HollowNodeOptions, client: KubeClientApi, log: Logger) {
    this.registrar = new NodeRegistrar(client, o.facts, o.statusPeriods, log.child({ component: 'node' }));
    this.pods = new PodSync({
      client, nodeName: o.facts.nodeName, log,
      workers: {
        rootDir: o.rootDir, nodeIP: o.facts.nodeIP, namespaces: false, mountBin: 'mount',
        backoff: new CrashLoopBackoff(o.backoff.baseMs, o.backoff.maxMs),
        runtime: new HollowRuntime(o.behaviour, o.podRange),
        // Records live in the workers only: a hollow node has nothing to adopt after a restart.
        store: { save: () => {}, remove: async () => {} },
        defaultHostUsers: true, userNamespaces: new UserNamespaceIds(o.rootDir, []),
      },
    });
  }

  get podCount(): number { return this.pods.workers.size; }

  /** Registers and heartbeats, then syncs pods; resolves once the first pod list is in. */
  async start(): Promise<void> {
    this.registrar.start();
    const { synced } = await this.pods.start();
    await synced;
  }

  async stop(): Promise<void> {
    await this.pods.stop();
    await this.registrar.stop();
  }
}
