// The workload kinds: apps/v1 Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision; batch/v1 Job,
// CronJob; core/v1 ReplicationController. Each is a declaration (names, scope, discovery, subresources, printer) plus
// the shared workload strategy fed with the kind's defaulting and validation from @podling/api.
import {
  defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet, defaultReplicationController,
  defaultStatefulSet, formatLabelSelector, isDNS1123Label, isEmptySelector, validateControllerRevision,
  validateControllerRevisionUpdate, validateCronJob, validateCronJobUpdate, validateDaemonSet, validateDaemonSetUpdate,
  validateDeployment, validateDeploymentUpdate, validateJobUpdate, validateReplicaSet, validateReplicaSetUpdate,
  validateReplicationController, validateReplicationControllerUpdate, validateStatefulSet, validateStatefulSetUpdate,
  validateJob, type ControllerRevision, type CronJob, type DaemonSet, type Deployment, type Job, type KubeObject,
  type MetaLabelSelector, type ReplicaSet, type ReplicationController, type StatefulSet,
} from '@podling/api';
import {
  controllerRevisionPrinter, cronJobPrinter, daemonSetPrinter, deploymentPrinter, jobPrinter, replicaSetPrinter,
  replicationControllerPrinter, statefulSetPrinter,
} from '../kubectl/workload-tables.ts';
import { prepareJobForCreate } from './job-selector.ts';
import { defineResource } from './resource.ts';
import { workloadStatusStrategy, workloadStrategy } from './workload-strategy.ts';

const ALL = ['all'];
/** Scale's status.selector: the selector in string form, "" when empty. */
const scaleSelector = (sel: MetaLabelSelector | undefined) => (isEmptySelector(sel) ? '' : formatLabelSelector(sel));
const bySelector = { selector: (o: KubeObject) => scaleSelector((o.spec as { selector?: MetaLabelSelector } | undefined)?.selector) };
const pod = (ctx: { allowPrivileged: boolean }) => ({ allowPrivileged: ctx.allowPrivileged });

export const deployments = defineResource<Deployment>({
  group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', singular: 'deployment', namespaced: true,
  shortNames: ['deploy'], categories: ALL,
  strategy: workloadStrategy<Deployment>({
    defaults: defaultDeployment,
    validate: (d, ctx) => validateDeployment(d, pod(ctx)),
    validateUpdate: (d, old, ctx) => validateDeploymentUpdate(d, old, pod(ctx)),
    // Annotations are copied to the ReplicaSets, so changing them is a change the controller must observe.
    generationSource: (d) => [d.spec, d.metadata.annotations],
  }),
  updateSubresources: { status: workloadStatusStrategy<Deployment>() },
  scale: bySelector,
  printer: deploymentPrinter,
});

export const replicaSets = defineResource<ReplicaSet>({
  group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', singular: 'replicaset', namespaced: true,
  shortNames: ['rs'], categories: ALL,
  strategy: workloadStrategy<ReplicaSet>({
    defaults: defaultReplicaSet,
    validate: (rs, ctx) => validateReplicaSet(rs, pod(ctx)),
    validateUpdate: (rs, old, ctx) => validateReplicaSetUpdate(rs, old, pod(ctx)),
  }),
  updateSubresources: { status: workloadStatusStrategy<ReplicaSet>() },
  scale: bySelector,
  printer: replicaSetPrinter,
});

export const statefulSets = defineResource<StatefulSet>({
  group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', singular: 'statefulset', namespaced: true,
  shortNames: ['sts'], categories: ALL,
  strategy: workloadStrategy<StatefulSet>({
    nameValidator: isDNS1123Label,
    defaults: defaultStatefulSet,
    validate: (s, ctx) => validateStatefulSet(s, pod(ctx)),
    validateUpdate: (s, old, ctx) => validateStatefulSetUpdate(s, old, pod(ctx)),
  }),
  updateSubresources: { status: workloadStatusStrategy<StatefulSet>() },
  scale: bySelector,
  printer: statefulSetPrinter,
});

export const daemonSets = defineResource<DaemonSet>({
  group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', singular: 'daemonset', namespaced: true,
  shortNames: ['ds'], categories: ALL,
  strategy: workloadStrategy<DaemonSet>({
    defaults: defaultDaemonSet,
    validate: (ds, ctx) => validateDaemonSet(ds, pod(ctx)),
    validateUpdate: (ds, old, ctx) => validateDaemonSetUpdate(ds, old, pod(ctx)),
  }),
  updateSubresources: { status: workloadStatusStrategy<DaemonSet>() },
  printer: daemonSetPrinter,
});

export const controllerRevisions = defineResource<ControllerRevision>({
  group: 'apps', version: 'v1', kind: 'ControllerRevision', resource: 'controllerrevisions', singular: 'controllerrevision',
  namespaced: true,
  strategy: workloadStrategy<ControllerRevision>({
    noStatus: true,
    defaults: () => {},
    validate: (cr) => validateControllerRevision(cr),
    validateUpdate: (cr, old) => validateControllerRevisionUpdate(cr, old),
  }),
  printer: controllerRevisionPrinter,
});

export const jobs = defineResource<Job>({
  group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', singular: 'job', namespaced: true, categories: ALL,
  strategy: workloadStrategy<Job>({
    defaults: defaultJob,
    prepareForCreate: prepareJobForCreate,
    validate: (j, ctx) => validateJob(j, pod(ctx)),
    validateUpdate: (j, old, ctx) => validateJobUpdate(j, old, pod(ctx)),
    // batch/v1 keeps the pre-garbage-collector default: a DELETE without a policy orphans the pods.
    defaultPropagation: 'Orphan',
  }),
  updateSubresources: { status: workloadStatusStrategy<Job>() },
  printer: jobPrinter,
});

export const cronJobs = defineResource<CronJob>({
  group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs', singular: 'cronjob', namespaced: true,
  shortNames: ['cj'], categories: ALL,
  strategy: workloadStrategy<CronJob>({
    defaults: defaultCronJob,
    validate: (c, ctx) => validateCronJob(c, pod(ctx)),
    validateUpdate: (c, old, ctx) => validateCronJobUpdate(c, old, pod(ctx)),
  }),
  updateSubresources: { status: workloadStatusStrategy<CronJob>() },
  printer: cronJobPrinter,
});

export const replicationControllers = defineResource<ReplicationController>({
  group: '', version: 'v1', kind: 'ReplicationController', resource: 'replicationcontrollers', singular: 'replicationcontroller',
  namespaced: true, shortNames: ['rc'], categories: ALL,
  strategy: workloadStrategy<ReplicationController>({
    defaults: defaultReplicationController,
    validate: (rc, ctx) => validateReplicationController(rc, pod(ctx)),
    validateUpdate: (rc, old, ctx) => validateReplicationControllerUpdate(rc, old, pod(ctx)),
    // core/v1 keeps the pre-garbage-collector default: a DELETE without a policy orphans the pods.
    defaultPropagation: 'Orphan',
  }),
  updateSubresources: { status: workloadStatusStrategy<ReplicationController>() },
  scale: { selector: (o) => scaleSelector({ matchLabels: (o as ReplicationController).spec?.selector }) },
  printer: replicationControllerPrinter,
});

export const WORKLOADS = [deployments, replicaSets, statefulSets, daemonSets, controllerRevisions, jobs, cronJobs, replicationControllers];
