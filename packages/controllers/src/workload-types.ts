// The workload kinds as the controllers read them: kubernetes-types' definitions (generated from Kubernetes'
// OpenAPI) with Podling's object metadata, so they fit the informers and the client like every other object.
import type { KubeObject, PodSpec } from '@podling/api';
import type * as apps from 'kubernetes-types/apps/v1';
import type * as batch from 'kubernetes-types/batch/v1';
import type * as core from 'kubernetes-types/core/v1';

type Served<T> = Omit<T, 'metadata' | 'apiVersion' | 'kind'> & KubeObject;

/** A pod template with Podling's pod spec. */
export interface PodTemplate { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] }; spec: PodSpec }

type WithTemplate<S> = Omit<S, 'template'> & { template: PodTemplate };

export type LabelSelectorSpec = NonNullable<apps.ReplicaSetSpec['selector']>;
export type Deployment = Served<apps.Deployment> & { spec: WithTemplate<apps.DeploymentSpec> };
export type DeploymentCondition = apps.DeploymentCondition;
export type ReplicaSet = Served<apps.ReplicaSet> & { spec: WithTemplate<apps.ReplicaSetSpec> };
export type ReplicaSetCondition = apps.ReplicaSetCondition;
export type ReplicationController = Served<core.ReplicationController> & { spec: Omit<core.ReplicationControllerSpec, 'template'> & { template?: PodTemplate } };
export type Job = Served<batch.Job> & { spec: WithTemplate<batch.JobSpec> };
export type JobCondition = batch.JobCondition;
export type IntOrString = number | string;
