// Printers of the workload kinds, as kubernetes pkg/printers/internalversion/printers.go renders them for
// `kubectl get` (workloads.md §9.1): ready/desired counts, and the wide CONTAINERS, IMAGES and SELECTOR columns.
import {
  formatLabelSelector, type ControllerRevision, type CronJob, type DaemonSet, type Deployment, type Job, type KubeObject,
  type MetaLabelSelector, type PodTemplateSpec, type ReplicaSet, type ReplicationController, type StatefulSet,
} from '@podling/api';
import { humanDuration, timestampSince } from './human-duration.ts';
import { ageColumn, column, nameColumn, type TableColumnDefinition, type TablePrinter } from './table-types.ts';

const int = (name: string, description: string) => column(name, description, { type: 'integer' });
const wide = (name: string, description: string) => column(name, description, { priority: 1 });
const CONTAINERS = wide('Containers', 'Names of each container in the template.');
const IMAGES = wide('Images', 'Images referenced by each container in the template.');
const SELECTOR = wide('Selector', 'Label selector for pods. Existing pods that match it are the ones this controls.');

function containersAndImages(t: PodTemplateSpec | undefined): [string, string] {
  const cs = t?.spec?.containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image ?? '').join(',')];
}

/** A printer whose last cells are containers, images and (optionally) the selector, after the kind's own. */
function printer<T extends KubeObject>(own: TableColumnDefinition[], cells: (o: T, now: number) => unknown[],
  template: (o: T) => PodTemplateSpec | undefined, selector?: (o: T) => string): TablePrinter {
  return {
    columns: [nameColumn(), ...own, CONTAINERS, IMAGES, ...(selector ? [SELECTOR] : [])],
    row(obj, now) {
      const o = obj as T;
      return { cells: [o.metadata.name ?? '', ...cells(o, now), ...containersAndImages(template(o)), ...(selector ? [selector(o)] : [])] };
    },
  };
}

const age = (o: KubeObject, now: number) => timestampSince(o.metadata.creationTimestamp, now);
const sel = (s: MetaLabelSelector | undefined) => formatLabelSelector(s);

export const deploymentPrinter = printer<Deployment>(
  [column('Ready', 'Number of the pod with ready state'), int('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    int('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'), ageColumn()],
  (d, now) => [`${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, d.status?.updatedReplicas ?? 0, d.status?.availableReplicas ?? 0, age(d, now)],
  (d) => d.spec?.template, (d) => sel(d.spec?.selector));

const rsColumns = [int('Desired', 'Replicas is the number of desired replicas.'), int('Current', 'Replicas is the most recently observed number of replicas.'),
  int('Ready', 'The number of ready replicas for this replica set.'), ageColumn()];

export const replicaSetPrinter = printer<ReplicaSet>(rsColumns,
  (rs, now) => [rs.spec?.replicas ?? 0, rs.status?.replicas ?? 0, rs.status?.readyReplicas ?? 0, age(rs, now)],
  (rs) => rs.spec?.template, (rs) => sel(rs.spec?.selector));

export const replicationControllerPrinter = printer<ReplicationController>(rsColumns,
  (rc, now) => [rc.spec?.replicas ?? 0, rc.status?.replicas ?? 0, rc.status?.readyReplicas ?? 0, age(rc, now)],
  (rc) => rc.spec?.template, (rc) => sel({ matchLabels: rc.spec?.selector }));

export const statefulSetPrinter = printer<StatefulSet>(
  [column('Ready', 'Number of the pod with ready state'), ageColumn()],
  (s, now) => [`${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`, age(s, now)],
  (s) => s.spec?.template);

export const daemonSetPrinter = printer<DaemonSet>(
  [int('Desired', 'The total number of nodes that should be running the daemon pod.'), int('Current', 'The number of nodes running at least one daemon pod and are supposed to.'),
    int('Ready', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    int('Up-to-date', 'The total number of nodes that are running updated daemon pod'),
    int('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
    column('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node.'), ageColumn()],
  (ds, now) => {
    const st = ds.status ?? {} as NonNullable<DaemonSet['status']>;
    const ns = ds.spec?.template?.spec?.nodeSelector ?? {};
    const nodeSelector = Object.keys(ns).length ? Object.keys(ns).sort().map((k) => `${k}=${ns[k]}`).join(',') : '<none>';
    return [st.desiredNumberScheduled ?? 0, st.currentNumberScheduled ?? 0, st.numberReady ?? 0, st.updatedNumberScheduled ?? 0, st.numberAvailable ?? 0, nodeSelector, age(ds, now)];
  },
  (ds) => ds.spec?.template, (ds) => sel(ds.spec?.selector));

const isTrue = (j: Job, type: string) => (j.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** STATUS of `kubectl get jobs`: the first that holds of Complete, Failed, Terminating, Suspended, FailureTarget, Running. */
export function jobStatusText(j: Job): string {
  if (isTrue(j, 'Complete')) return 'Complete';
  if (isTrue(j, 'Failed')) return 'Failed';
  if (j.metadata.deletionTimestamp) return 'Terminating';
  if (isTrue(j, 'Suspended')) return 'Suspended';
  if (isTrue(j, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(j: Job): string {
  const succeeded = j.status?.succeeded ?? 0;
  if (j.spec?.completions !== undefined) return `${succeeded}/${j.spec.completions}`;
  const parallelism = j.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(j: Job, now: number): string {
  const start = j.status?.startTime ? Date.parse(j.status.startTime) : NaN;
  if (Number.isNaN(start)) return '';
  const end = j.status?.completionTime ? Date.parse(j.status.completionTime) : now;
  return humanDuration(end - start);
}

export const jobPrinter = printer<Job>(
  [column('Status', 'Status of the job.'), column('Completions', 'The completion status of the job.'),
    column('Duration', 'Time required to complete the job.'), ageColumn()],
  (j, now) => [jobStatusText(j), jobCompletions(j), jobDuration(j, now), age(j, now)],
  (j) => j.spec?.template, (j) => sel(j.spec?.selector));

export const cronJobPrinter = printer<CronJob>(
  [column('Schedule', 'The schedule in Cron format.'), column('Timezone', 'The time zone name for the given schedule.'),
    column('Suspend', 'Whether to suspend subsequent executions.'), int('Active', 'A list of pointers to currently running jobs.'),
    column('Last Schedule', 'Information when was the last time the job was successfully scheduled.'), ageColumn()],
  (c, now) => {
    const suspend = c.spec?.suspend === undefined ? '<unset>' : c.spec.suspend ? 'True' : 'False';
    const last = c.status?.lastScheduleTime ? timestampSince(c.status.lastScheduleTime, now) : '<none>';
    return [c.spec?.schedule ?? '', c.spec?.timeZone ?? '<none>', suspend, c.status?.active?.length ?? 0, last, age(c, now)];
  },
  (c) => c.spec?.jobTemplate?.spec?.template, (c) => sel(c.spec?.jobTemplate?.spec?.selector));

export const controllerRevisionPrinter: TablePrinter = {
  columns: [nameColumn(), column('Controller', 'Controller of the object.'), int('Revision', 'Revision of the ControllerRevision.'), ageColumn()],
  row(obj, now) {
    const cr = obj as ControllerRevision;
    const owner = cr.metadata.ownerReferences?.find((r) => r.controller);
    const group = owner?.apiVersion.includes('/') ? `.${owner.apiVersion.split('/')[0]}` : '';
    const controller = owner ? `${owner.kind.toLowerCase()}${group}/${owner.name}` : '<none>';
    return { cells: [cr.metadata.name ?? '', controller, cr.revision ?? 0, age(cr, now)] };
  },
};
