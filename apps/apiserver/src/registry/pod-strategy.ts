// Pods: users own spec, the node owns status (kubernetes pkg/registry/core/pod/strategy.go); the grace rules of a
// DELETE live here alone.
import {
  computeQosClass, defaultPod, isDNS1123Subdomain, MAX_GRACE_PERIOD_SECONDS, podWarnings, validatePod, validatePodStatusUpdate, validatePodUpdate,
  type Pod,
} from '@podling/api';
import { podPrinter } from '../kubectl/pod-table.ts';
import { resetObjectMetaForStatus } from './object-meta.ts';
import { defineResource } from './resource.ts';
import type { Strategy, UpdateStrategy } from './strategy.ts';

export const podStrategy: Strategy<Pod> = {
  nameValidator: isDNS1123Subdomain,
  tracksGeneration: true,
  returnsDeletedObject: true,
  prepareForCreate(pod) {
    defaultPod(pod);
    pod.status = { phase: 'Pending', qosClass: computeQosClass(pod) };
    if (pod.spec.schedulingGates?.length) {
      pod.status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates', lastProbeTime: null }];
    }
  },
  validate: (pod, ctx) => validatePod(pod, { allowPrivileged: ctx.allowPrivileged }),
  warningsOnCreate: (pod) => podWarnings(pod),
  prepareForUpdate(pod, old) {
    pod.status = old.status;
  },
  validateUpdate: (pod, old, ctx) => validatePodUpdate(pod, old, { allowPrivileged: ctx.allowPrivileged }),
  /** CheckGracefulDelete: request value, else the spec's; 0 when never scheduled or already terminal; negative → 1.
   *  A pod stored before validation bounded the spec's value is clamped, so its deletion timestamp stays a time. */
  gracePeriod(pod, requested) {
    let period = Math.min(requested ?? pod.spec.terminationGracePeriodSeconds ?? 30, MAX_GRACE_PERIOD_SECONDS);
    if (!pod.spec.nodeName) period = 0;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') period = 0;
    if (period < 0) period = 1;
    return period;
  },
};

export const podStatusStrategy: UpdateStrategy<Pod> = {
  prepareForUpdate(pod, old) {
    pod.spec = old.spec;
    resetObjectMetaForStatus(pod, old);
    if (pod.status && old.status?.qosClass && !pod.status.qosClass) pod.status.qosClass = old.status.qosClass;
  },
  validateUpdate: (pod, old) => validatePodStatusUpdate(pod, old),
};

export const pods = defineResource<Pod>({
  group: '', version: 'v1', kind: 'Pod', resource: 'pods', singular: 'pod', namespaced: true,
  shortNames: ['po'], categories: ['all'],
  strategy: podStrategy,
  updateSubresources: { status: podStatusStrategy },
  // Served outside the generic store: binding and log by routes/connect-handlers.ts, the streaming ones by
  // routes/pod-streams.ts.
  connect: {
    attach: { kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    binding: { kind: 'Binding', verbs: ['create'] },
    exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
    log: { kind: 'Pod', verbs: ['get'] },
    portforward: { kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  },
  printer: podPrinter,
});
