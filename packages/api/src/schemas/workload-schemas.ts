// apps/v1 (Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision), batch/v1 (Job, CronJob) and core/v1
// ReplicationController, field for field as k8s.io/api apps/v1, batch/v1 and core/v1 types.go define them. The pod
// template's spec is the Pod schema's own PodSpec: one place for pod fields.
import { objectMeta, objectReference } from './meta-schema.ts';
import { podSpec } from './pod-schema.ts';
import {
  anything, bool, int, intOrStr, list, open, openList, str, strList, strMap, struct, time, typeMeta, type Schema,
} from './schema-builders.ts';

export const labelSelector = struct('LabelSelector', {
  matchLabels: strMap,
  matchExpressions: list(struct('LabelSelectorRequirement', { key: str, operator: str, values: strList })),
});
export const podTemplateSpec = struct('PodTemplateSpec', { metadata: objectMeta, spec: podSpec });

const condition = (title: string, extra: Record<string, Schema> = {}) => list(struct(title, {
  type: str, status: str, lastTransitionTime: time, reason: str, message: str, ...extra,
}));

export const deploymentSchema = struct('Deployment', {
  ...typeMeta, metadata: objectMeta,
  spec: struct('DeploymentSpec', {
    replicas: int, selector: labelSelector, template: podTemplateSpec,
    strategy: struct('DeploymentStrategy', {
      type: str, rollingUpdate: struct('RollingUpdateDeployment', { maxUnavailable: intOrStr, maxSurge: intOrStr }),
    }),
    minReadySeconds: int, revisionHistoryLimit: int, paused: bool, progressDeadlineSeconds: int,
  }),
  status: struct('DeploymentStatus', {
    observedGeneration: int, replicas: int, updatedReplicas: int, readyReplicas: int, availableReplicas: int,
    unavailableReplicas: int, terminatingReplicas: int, collisionCount: int,
    conditions: condition('DeploymentCondition', { lastUpdateTime: time }),
  }),
});

const replicaSetStatus = (title: string) => struct(title, {
  replicas: int, fullyLabeledReplicas: int, readyReplicas: int, availableReplicas: int, terminatingReplicas: int,
  observedGeneration: int, conditions: condition(`${title.replace('Status', '')}Condition`),
});

export const replicaSetSchema = struct('ReplicaSet', {
  ...typeMeta, metadata: objectMeta,
  spec: struct('ReplicaSetSpec', { replicas: int, minReadySeconds: int, selector: labelSelector, template: podTemplateSpec }),
  status: replicaSetStatus('ReplicaSetStatus'),
});

export const replicationControllerSchema = struct('ReplicationController', {
  ...typeMeta, metadata: objectMeta,
  spec: struct('ReplicationControllerSpec', { replicas: int, minReadySeconds: int, selector: strMap, template: podTemplateSpec }),
  status: replicaSetStatus('ReplicationControllerStatus'),
});

export const statefulSetSchema = struct('StatefulSet', {
  ...typeMeta, metadata: objectMeta,
  spec: struct('StatefulSetSpec', {
    replicas: int, selector: labelSelector, template: podTemplateSpec, volumeClaimTemplates: openList,
    serviceName: str, podManagementPolicy: str,
    updateStrategy: struct('StatefulSetUpdateStrategy', {
      type: str, rollingUpdate: struct('RollingUpdateStatefulSetStrategy', { partition: int, maxUnavailable: intOrStr }),
    }),
    revisionHistoryLimit: int, minReadySeconds: int,
    persistentVolumeClaimRetentionPolicy: struct('StatefulSetPersistentVolumeClaimRetentionPolicy', { whenDeleted: str, whenScaled: str }),
    ordinals: struct('StatefulSetOrdinals', { start: int }),
  }),
  status: struct('StatefulSetStatus', {
    observedGeneration: int, replicas: int, readyReplicas: int, currentReplicas: int, updatedReplicas: int,
    currentRevision: str, updateRevision: str, collisionCount: int, availableReplicas: int,
    conditions: condition('StatefulSetCondition'),
  }),
});

export const daemonSetSchema = struct('DaemonSet', {
  ...typeMeta, metadata: objectMeta,
  spec: struct('DaemonSetSpec', {
    selector: labelSelector, template: podTemplateSpec,
    updateStrategy: struct('DaemonSetUpdateStrategy', {
      type: str, rollingUpdate: struct('RollingUpdateDaemonSet', { maxUnavailable: intOrStr, maxSurge: intOrStr }),
    }),
    minReadySeconds: int, revisionHistoryLimit: int,
  }),
  status: struct('DaemonSetStatus', {
    currentNumberScheduled: int, numberMisscheduled: int, desiredNumberScheduled: int, numberReady: int,
    observedGeneration: int, updatedNumberScheduled: int, numberAvailable: int, numberUnavailable: int,
    collisionCount: int, conditions: condition('DaemonSetCondition'),
  }),
});

/** `data` is a RawExtension: any JSON value, kept as sent. */
export const controllerRevisionSchema = struct('ControllerRevision', { ...typeMeta, metadata: objectMeta, data: anything, revision: int });

export const jobSpec = struct('JobSpec', {
  parallelism: int, completions: int, activeDeadlineSeconds: int,
  podFailurePolicy: struct('PodFailurePolicy', {
    rules: list(struct('PodFailurePolicyRule', {
      action: str,
      onExitCodes: struct('PodFailurePolicyOnExitCodesRequirement', { containerName: str, operator: str, values: list(int) }),
      onPodConditions: list(struct('PodFailurePolicyOnPodConditionsPattern', { type: str, status: str })),
    })),
  }),
  successPolicy: struct('SuccessPolicy', { rules: list(struct('SuccessPolicyRule', { succeededIndexes: str, succeededCount: int })) }),
  backoffLimit: int, backoffLimitPerIndex: int, maxFailedIndexes: int, selector: labelSelector, manualSelector: bool,
  template: podTemplateSpec, ttlSecondsAfterFinished: int, completionMode: str, suspend: bool, podReplacementPolicy: str,
  managedBy: str, scheduling: open,
});

export const jobSchema = struct('Job', {
  ...typeMeta, metadata: objectMeta, spec: jobSpec,
  status: struct('JobStatus', {
    conditions: condition('JobCondition', { lastProbeTime: time }), startTime: time, completionTime: time,
    active: int, succeeded: int, failed: int, terminating: int, completedIndexes: str, failedIndexes: str,
    uncountedTerminatedPods: struct('UncountedTerminatedPods', { succeeded: strList, failed: strList }), ready: int,
  }),
});

export const cronJobSchema = struct('CronJob', {
  ...typeMeta, metadata: objectMeta,
  spec: struct('CronJobSpec', {
    schedule: str, timeZone: str, startingDeadlineSeconds: int, concurrencyPolicy: str, suspend: bool,
    jobTemplate: struct('JobTemplateSpec', { metadata: objectMeta, spec: jobSpec }),
    successfulJobsHistoryLimit: int, failedJobsHistoryLimit: int,
  }),
  status: struct('CronJobStatus', { active: list(objectReference), lastScheduleTime: time, lastSuccessfulTime: time }),
});
