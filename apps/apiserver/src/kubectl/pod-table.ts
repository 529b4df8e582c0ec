// The Pod printer of kubernetes pkg/printers/internalversion/printers.go (printPod), which is what `kubectl get
// pods` shows: READY, the aggregate STATUS text, RESTARTS with "(5m ago)", and the wide columns.
import type { ContainerState, ContainerStatus, KubeObject, Pod } from '@podling/api';
import { humanDuration, timestampSince } from './human-duration.ts';
import { ageColumn, column, nameColumn, type TablePrinter, type TableRowCondition } from './table-types.ts';

/** The pod's status.reason that the node lifecycle controller sets when a node stops answering. */
const NODE_LOST = 'NodeLost';

interface PodView {
  readyContainers: number;
  totalContainers: number;
  status: string;
  restarts: number;
  /** ms epoch of the newest lastState.terminated.finishedAt among the counted containers, 0 if none. */
  lastRestart: number;
}

type InitContainerSpec = { name: string; restartPolicy?: string };
const isSidecar = (c: InitContainerSpec | undefined) => c?.restartPolicy === 'Always';
const finishedAt = (s: ContainerState | undefined) => {
  const t = s?.terminated?.finishedAt ? Date.parse(s.terminated.finishedAt) : NaN;
  return Number.isNaN(t) ? 0 : t;
};
const hasCondition = (pod: Pod, type: string) => (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

function terminatedText(t: NonNullable<ContainerState['terminated']>, prefix: string): string {
  if (t.reason) return prefix + t.reason;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode}`;
}

function viewPod(pod: Pod): PodView {
  const status = pod.status ?? {};
  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  const initSpecs = new Map<string, InitContainerSpec>((pod.spec?.initContainers ?? []).map((c) => [c.name, c]));
  const total = (pod.spec?.containers ?? []).length + [...initSpecs.values()].filter(isSidecar).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let sidecarLastRestart = 0;

  let initializing = false;
  const initStatuses: ContainerStatus[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const sidecar = isSidecar(initSpecs.get(c.name));
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finishedAt(c.lastState));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      sidecarLastRestart = Math.max(sidecarLastRestart, finishedAt(c.lastState));
    }
    const term = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (sidecar && c.started) { if (c.ready) ready++; continue; }
    if (term) reason = terminatedText(term, 'Init:');
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${initSpecs.size}`;
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = sidecarLastRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Last to first, so the first container's waiting/terminated reason wins.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finishedAt(c.lastState));
      const { waiting, terminated, running } = c.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated) reason = terminatedText(terminated, '');
      else if (c.ready && running) { hasRunning = true; ready++; }
    }
    if (reason === 'Completed' && hasRunning) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp) {
    if (status.reason === NODE_LOST) reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  }
  return { readyContainers: ready, totalContainers: total, status: reason, restarts, lastRestart };
}

/** The STATUS column of `kubectl get pods`. `now` is unused today but kept so callers need not change if a
 *  time-dependent rule appears (printers.go has none for STATUS). */
export function podStatusText(pod: Pod, _now?: number): string {
  return viewPod(pod).status;
}

const completed = (reason: string, message: string): TableRowCondition[] => [{ type: 'Completed', status: 'True', reason, message }];

export const podPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn(),
    column('IP', 'podIP address allocated to the pod.', { priority: 1 }),
    column('Node', 'NodeName indicates in which node this pod is scheduled.', { priority: 1 }),
    column('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node.', { priority: 1 }),
    column('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', { priority: 1 }),
  ],
  row(obj: KubeObject, now: number) {
    const pod = obj as Pod;
    const v = viewPod(pod);
    const restarts = v.restarts !== 0 && v.lastRestart > 0
      ? `${v.restarts} (${humanDuration(now - v.lastRestart)} ago)`
      : String(v.restarts);
    const status = pod.status ?? {};
    // The apiserver's conversion keeps podIP and podIPs[0] in sync; accept either.
    const ip = status.podIPs?.[0]?.ip || status.podIP || '<none>';
    const gates = (pod.spec?.readinessGates as { conditionType: string }[] | undefined) ?? [];
    let readinessGates = '<none>';
    if (gates.length > 0) {
      const trueCount = gates.filter((g) => status.conditions?.find((c) => c.type === g.conditionType)?.status === 'True').length;
      readinessGates = `${trueCount}/${gates.length}`;
    }
    const cells = [
      pod.metadata.name ?? '', `${v.readyContainers}/${v.totalContainers}`, v.status, restarts,
      timestampSince(pod.metadata.creationTimestamp, now),
      ip, pod.spec?.nodeName || '<none>', status.nominatedNodeName || '<none>', readinessGates,
    ];
    const conditions = status.phase === 'Succeeded' ? completed('Succeeded', 'The pod has completed successfully.')
      : status.phase === 'Failed' ? completed('Failed', 'The pod failed.') : undefined;
    return conditions ? { cells, conditions } : { cells };
  },
};
