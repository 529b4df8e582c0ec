// A ReplicaSet's (or ReplicationController's) status from the pods it controls (k/k pkg/controller/replicaset
// replica_set_utils.go calculateStatus), plus the ReplicaFailure condition while creates or deletes fail.
import { rfc3339 } from '@podling/api';
import type { Pod } from '@podling/api';
import { isPodAvailable, isPodReady } from './pod-state.ts';
import type { ReplicaSetCondition } from './workload-types.ts';

export interface ReplicaSetStatusFields {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface ReplicaSetStatusInput {
  /** Active pods the set controls. */
  pods: Pod[];
  templateLabels: Record<string, string>;
  minReadySeconds: number;
  generation?: number;
  prior?: { conditions?: ReplicaSetCondition[] };
  /** The create/delete error of this sync, if any: 'FailedCreate' or 'FailedDelete' with its message. */
  failure?: { reason: 'FailedCreate' | 'FailedDelete'; message: string };
  now: number;
}

export function replicaSetStatus(i: ReplicaSetStatusInput): ReplicaSetStatusFields {
  const labelled = i.pods.filter((p) => Object.entries(i.templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v));
  const status: ReplicaSetStatusFields = {
    replicas: i.pods.length,
    fullyLabeledReplicas: labelled.length,
    readyReplicas: i.pods.filter(isPodReady).length,
    availableReplicas: i.pods.filter((p) => isPodAvailable(p, i.minReadySeconds, i.now)).length,
  };
  if (i.generation !== undefined) status.observedGeneration = i.generation;
  const others = (i.prior?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  const prior = i.prior?.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (i.failure) {
    const same = prior && prior.reason === i.failure.reason && prior.message === i.failure.message;
    others.push(same ? prior : {
      type: 'ReplicaFailure', status: 'True', reason: i.failure.reason, message: i.failure.message,
      lastTransitionTime: rfc3339(i.now),
    });
  }
  if (others.length) status.conditions = others;
  return status;
}
