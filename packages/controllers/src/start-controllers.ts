// Starts the chosen controllers behind leader election: the process campaigns for the Lease
// kube-system/kube-controller-manager and runs its controllers only while it holds it; losing it stops every
// controller (and their in-flight work) before another control plane can take over, and winning it again starts
// them afresh. All controllers of a term share one set of informers (one watch per resource).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { isStatusError } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import type { ControllerName } from './controller-selection.ts';
import { CronJobController } from './cronjob-controller.ts';
import { DaemonSetController } from './daemon-set-controller.ts';
import { DeploymentController } from './deployment-controller.ts';
import { EndpointsController } from './endpoints-controller.ts';
import { EndpointSliceController } from './endpointslice-controller.ts';
import { GarbageCollector, GC_RESOURCES } from './garbage-collector.ts';
import { JobController } from './job-controller.ts';
import { LeaderElector } from './leader-election.ts';
import { NodeIpamController } from './node-ipam-controller.ts';
import type { NodeCidrConfig } from './node-cidr-flags.ts';
import { NodeLifecycleController } from './node-lifecycle.ts';
import { PodGcController } from './pod-gc.ts';
import { REPLICATION_CONTROLLER, ReplicaSetController } from './replica-set-controller.ts';
import { Scheduler } from './scheduler.ts';
import { StatefulSetController } from './stateful-set-controller.ts';
import { SharedInformers } from './shared-informers.ts';
import { TtlAfterFinishedController } from './ttl-after-finished-controller.ts';

export interface LeaderElectionConfig {
  /** Default `<hostname>_<uuid>`, as kube-controller-manager. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ControllersOptions {
  client: KubeClientApi;
  /** The Lease's own client and the scheduler's (controller-clients.ts); default `client`. */
  leaderElectionClient?: KubeClientApi;
  schedulerClient?: KubeClientApi;
  which: Set<ControllerName>;
  logger: Logger;
  /** --node-monitor-grace-period, default 40 s. */
  nodeMonitorGracePeriodMs: number;
  /** --node-monitor-period, default 5 s. */
  nodeMonitorPeriodMs: number;
  /** --pod-eviction-timeout, default 5 min: the toleration a pod without one gets for not-ready/unreachable. */
  podEvictionTimeoutMs: number;
  /** --terminated-pod-gc-threshold, default 12500; 0 disables. */
  terminatedPodGcThreshold: number;
  /** --pod-gc-period, default 20 s. */
  podGcPeriodMs?: number;
  /** How often the scheduler retries unschedulable pods when nothing changed; default 30 s. */
  schedulerRetryPeriodMs?: number;
  /** --cluster-cidr and --node-cidr-mask-size, for nodeipam; it is skipped when absent. */
  nodeCidrs?: NodeCidrConfig;
  /** false runs the controllers at once, without a Lease (tests, a single control plane by construction). */
  leaderElection?: LeaderElectionConfig | false;
}

interface Runnable { start(): Promise<void>; stop(): Promise<void> }

/** `served`: the resources of GC_RESOURCES the apiserver serves (only the garbage collector watches several). */
type Factory = (o: ControllersOptions, informers: SharedInformers, served: string[]) => Runnable;

const FACTORIES: Record<ControllerName, Factory> = {
  scheduler: (o, informers) => new Scheduler({ client: o.schedulerClient ?? o.client, logger: o.logger, retryPeriodMs: o.schedulerRetryPeriodMs, informers }),
  nodelifecycle: (o, informers) => new NodeLifecycleController({
    client: o.client, logger: o.logger, gracePeriodMs: o.nodeMonitorGracePeriodMs, periodMs: o.nodeMonitorPeriodMs,
    podEvictionTimeoutMs: o.podEvictionTimeoutMs, informers,
  }),
  podgc: (o, informers) => new PodGcController({
    client: o.client, logger: o.logger, periodMs: o.podGcPeriodMs ?? 20_000, terminatedThreshold: o.terminatedPodGcThreshold, informers,
  }),
  replicaset: (o, informers) => new ReplicaSetController({ client: o.client, logger: o.logger, informers }),
  replicationcontroller: (o, informers) => new ReplicaSetController({ client: o.client, logger: o.logger, informers, flavour: REPLICATION_CONTROLLER }),
  deployment: (o, informers) => new DeploymentController({ client: o.client, logger: o.logger, informers }),
  daemonset: (o, informers) => new DaemonSetController({ client: o.client, logger: o.logger, informers }),
  job: (o, informers) => new JobController({ client: o.client, logger: o.logger, informers }),
  cronjob: (o, informers) => new CronJobController({ client: o.client, logger: o.logger, informers }),
  'ttl-after-finished': (o, informers) => new TtlAfterFinishedController({ client: o.client, logger: o.logger, informers }),
  statefulset: (o, informers) => new StatefulSetController({ client: o.client, logger: o.logger, informers }),
  nodeipam: (o, informers) => new NodeIpamController({ client: o.client, logger: o.logger, informers, ...o.nodeCidrs! }),
  endpoint: (o, informers) => new EndpointsController({ client: o.client, logger: o.logger, informers }),
  endpointslice: (o, informers) => new EndpointSliceController({ client: o.client, logger: o.logger, informers }),
  garbagecollector: (o, informers, served) => new GarbageCollector({ client: o.client, logger: o.logger, informers, resources: served }),
};

/** The resource a controller manages; like kube-controller-manager, a controller whose resource the apiserver
 * does not serve is skipped instead of retrying a 404 forever. */
const REQUIRES: Partial<Record<ControllerName, string>> = {
  replicaset: 'replicasets', replicationcontroller: 'replicationcontrollers', deployment: 'deployments',
  job: 'jobs', cronjob: 'cronjobs', 'ttl-after-finished': 'jobs',
  daemonset: 'daemonsets', statefulset: 'statefulsets',
  endpoint: 'services', endpointslice: 'endpointslices',
};

async function served(client: KubeClientApi, resource: string): Promise<boolean> {
  try {
    await client.list({ resource }, { limit: 1 });
    return true;
  } catch (err) {
    return !(isStatusError(err) && err.code === 404);
  }
}

/** One term's controllers: started without waiting for their informers to sync; stop() ends them. */
function runControllers(opts: ControllersOptions): { stop(): Promise<void> } {
  let stopped = false;
  const running: { name: ControllerName; c: Runnable; started: Promise<void> }[] = [];
  const launched = (async () => {
    const names = [...opts.which];
    const ok = await Promise.all(names.map((n) => (REQUIRES[n] ? served(opts.client, REQUIRES[n]) : true)));
    const gcResources = opts.which.has('garbagecollector') ? Object.keys(GC_RESOURCES) : [];
    const gcServed = await Promise.all(gcResources.map((r) => served(opts.client, r)));
    const servedByGc = gcResources.filter((_r, i) => gcServed[i]);
    if (stopped) return;
    // Every controller registers its handlers while constructed, before any of them starts the shared informers.
    const informers = new SharedInformers(opts.client, opts.logger.child({ component: 'informers' }));
    names.forEach((name, i) => {
      if (!ok[i]) { opts.logger.info({ controller: name, resource: REQUIRES[name] }, 'skipping controller: resource not served'); return; }
      if (name === 'nodeipam' && !opts.nodeCidrs) { opts.logger.info({ controller: name }, 'skipping controller: no cluster CIDR'); return; }
      const c = FACTORIES[name](opts, informers, servedByGc);
      running.push({ name, c, started: c.start().catch((err) => opts.logger.error({ err, controller: name }, 'controller failed to start')) });
    });
  })();
  return {
    async stop() {
      stopped = true;
      await launched;
      await Promise.all(running.map(({ c }) => c.stop()));
      await Promise.all(running.map(({ started }) => started));
    },
  };
}

/** Starts the chosen controllers (behind leader election unless disabled); `stop()` ends them and releases the Lease. */
export function startControllers(opts: ControllersOptions): { stop(): Promise<void> } {
  if (opts.which.size === 0) return { stop: async () => {} };
  if (opts.leaderElection === false) return runControllers(opts);
  const le = opts.leaderElection ?? {};
  let term: { stop(): Promise<void> } | undefined;
  const elector = new LeaderElector({
    client: opts.leaderElectionClient ?? opts.client, logger: opts.logger.child({ component: 'leader-election' }),
    identity: le.identity ?? `${os.hostname()}_${randomUUID()}`,
    leaseDurationMs: le.leaseDurationMs, renewDeadlineMs: le.renewDeadlineMs, retryPeriodMs: le.retryPeriodMs,
    onStartedLeading: () => { term = runControllers(opts); },
    onStoppedLeading: async () => { await term?.stop(); term = undefined; },
  });
  elector.start();
  return { stop: () => elector.stop() };
}
