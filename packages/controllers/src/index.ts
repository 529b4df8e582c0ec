// @podling/controllers — the control loops of kube-scheduler and kube-controller-manager, strictly as API
// clients: they import only @podling/api and @podling/client (never the store or the apiserver), so the apiserver
// embeds them by default and `podling-controller-manager` runs the same code as its own process. Each controller
// starts its informers in the background (retrying until the apiserver answers) and logs through its own child
// logger. Not here: storage, HTTP serving, admission — the apiserver's business. README.md tells what each does.
import type { KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';
import { NodeLifecycleController } from './node-lifecycle.ts';
import { PodGcController } from './pod-gc.ts';
import { Scheduler } from './scheduler.ts';
import { SharedInformers } from './shared-informers.ts';
import type { ControllerName } from './controller-selection.ts';

export { EventRecorder, type EventType } from './event-recorder.ts';
export { Scheduler } from './scheduler.ts';
export { NodeLifecycleController } from './node-lifecycle.ts';
export { PodGcController } from './pod-gc.ts';
export { SharedInformers, type SharedInformer } from './shared-informers.ts';

export { CONTROLLER_NAMES, DEFAULT_CONTROLLERS, parseControllerSelection, type ControllerName } from './controller-selection.ts';

export interface ControllersOptions {
  client: KubeClientApi;
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
}

interface Runnable { start(): Promise<void>; stop(): Promise<void> }

/** Starts the chosen controllers without waiting for them to sync; `stop()` ends them and their in-flight work. */
export function startControllers(opts: ControllersOptions): { stop(): Promise<void> } {
  const running: { name: ControllerName; c: Runnable }[] = [];
  // Every controller registers its handlers while constructed, before any of them starts the shared informers.
  const informers = new SharedInformers(opts.client, opts.logger.child({ component: 'informers' }));
  if (opts.which.has('scheduler')) {
    running.push({ name: 'scheduler', c: new Scheduler({ client: opts.client, logger: opts.logger, retryPeriodMs: opts.schedulerRetryPeriodMs, informers }) });
  }
  if (opts.which.has('nodelifecycle')) {
    running.push({
      name: 'nodelifecycle',
      c: new NodeLifecycleController({
        client: opts.client, logger: opts.logger, gracePeriodMs: opts.nodeMonitorGracePeriodMs,
        periodMs: opts.nodeMonitorPeriodMs, podEvictionTimeoutMs: opts.podEvictionTimeoutMs, informers,
      }),
    });
  }
  if (opts.which.has('podgc')) {
    running.push({
      name: 'podgc',
      c: new PodGcController({
        client: opts.client, logger: opts.logger, periodMs: opts.podGcPeriodMs ?? 20_000,
        terminatedThreshold: opts.terminatedPodGcThreshold, informers,
      }),
    });
  }
  const started = running.map(({ name, c }) =>
    c.start().catch((err) => opts.logger.error({ err, controller: name }, 'controller failed to start')));
  return {
    async stop() {
      await Promise.all(running.map(({ c }) => c.stop()));
      await Promise.all(started);
    },
  };
}
