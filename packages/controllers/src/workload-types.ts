// The workload kinds as the controllers read them: @podling/api's (kubernetes-types' definitions with Podling's
// object metadata), with `spec` present — the apiserver defaults it on every object it serves.
import type * as api from '@podling/api';

type WithSpec<T extends { spec?: unknown }> = T & { spec: NonNullable<T['spec']> };

export type Deployment = WithSpec<api.Deployment>;
export type ReplicaSet = WithSpec<api.ReplicaSet>;
export type ReplicationController = WithSpec<api.ReplicationController>;
export type Job = WithSpec<api.Job>;
export type DaemonSet = WithSpec<api.DaemonSet>;
export type StatefulSet = WithSpec<api.StatefulSet>;
export type CronJob = WithSpec<api.CronJob>;
export type PodTemplate = api.PodTemplateSpec;
export type DeploymentCondition = NonNullable<NonNullable<api.Deployment['status']>['conditions']>[number];
export type ReplicaSetCondition = NonNullable<NonNullable<api.ReplicaSet['status']>['conditions']>[number];
export type JobCondition = api.JobCondition;
export type IntOrString = number | string;
