// Wire types of the workload kinds, taken from the `kubernetes-types` package (generated from Kubernetes' own
// OpenAPI, kept in step with releases) rather than written by hand. Adapted to this package's conventions: metadata
// is always present (KubeObject) and status is writable (the server and controllers set it).
import type * as apps from 'kubernetes-types/apps/v1';
import type * as batch from 'kubernetes-types/batch/v1';
import type * as core from 'kubernetes-types/core/v1';
import type * as meta from 'kubernetes-types/meta/v1';
import type { KubeObject, ObjectMeta } from './types.ts';

type Writable<T> = { -readonly [K in keyof T]: T[K] };
type Served<T extends { metadata?: unknown }> = Writable<Omit<T, 'metadata' | 'kind' | 'apiVersion'>> & KubeObject & { metadata: ObjectMeta };

/** metav1.LabelSelector as it appears in a spec (matchLabels, matchExpressions). */
export type MetaLabelSelector = meta.LabelSelector;
export type PodTemplateSpec = core.PodTemplateSpec;
export type Deployment = Served<apps.Deployment>;
export type ReplicaSet = Served<apps.ReplicaSet>;
export type StatefulSet = Served<apps.StatefulSet>;
export type DaemonSet = Served<apps.DaemonSet>;
export type ControllerRevision = Served<apps.ControllerRevision>;
export type Job = Served<batch.Job>;
export type CronJob = Served<batch.CronJob>;
export type ReplicationController = Served<core.ReplicationController>;
export type DeploymentStatus = apps.DeploymentStatus;
export type JobCondition = batch.JobCondition;
