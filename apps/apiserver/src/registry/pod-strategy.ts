// Pods: users own spec, the node owns status (kubernetes pkg/registry/core/pod/strategy.go).
import {
  computeQosClass, defaultPod, isDNS1123Subdomain, podWarnings, validatePod, validatePodStatusUpdate, validatePodUpdate,
  type Pod,
} from '@podling/api';
import type { Strategy } from './strategy.ts';
import { resetObjectMetaForStatus } from './object-meta.ts';

export const podStrategy: Strategy<Pod> = {
  resource: 'pods', apiVersion: 'v1', kind: 'Pod', listKind: 'PodList', namespaced: true, singular: 'pod',
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
  status: {
    prepareForUpdate(pod, old) {
      pod.spec = old.spec;
      resetObjectMetaForStatus(pod, old);
      if (pod.status && old.status?.qosClass && !pod.status.qosClass) pod.status.qosClass = old.status.qosClass;
    },
    validateUpdate: (pod, old) => validatePodStatusUpdate(pod, old),
  },
  /** CheckGracefulDelete: request value, else the spec's; 0 when never scheduled or already terminal; negative → 1. */
  gracePeriod(pod, requested) {
    let period = requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (!pod.spec.nodeName) period = 0;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') period = 0;
    if (period < 0) period = 1;
    return period;
  },
};
