// The whole PodStatus the agent reports for one pod (reference B1–B3), from the spec and the agent's record. Pure:
// the clock and the previous conditions come in, so equal inputs give equal output and an unchanged pod writes
// nothing.
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from '@podling/api';
import { buildContainerStatus, terminatedState, type ProbeView } from './container-status.ts';
import { computePhase, isTerminalPhase } from './pod-phase.ts';
import { buildConditions } from './pod-conditions.ts';
import type { PodRecord } from './pod-record.ts';

export interface PodStatusInput {
  pod: Pod;
  record: PodRecord;
  nodeIP: string;
  /** The pod's IP once its sandbox has one (the node IP for hostNetwork pods); undefined: none yet. */
  podIP: string | undefined;
  /** Why the pod runs without a sandbox of its own (host-network fallback), shown on PodReadyToStartContainers. */
  sandboxMessage?: string;
  /** Pod directories and volumes are prepared. */
  sandboxReady: boolean;
  /** What the sandbox lacks on this node (pod-cgroup-gaps.ts), shown on PodReadyToStartContainers. */
  sandboxGaps?: string[];
  /** All containers were stopped for good because the pod is being deleted. */
  final: boolean;
  previousConditions: PodCondition[] | undefined;
  now: string;
  /** Probe-derived started/ready of a container's running instance (undefined: no probes). */
  probes?: (container: string) => ProbeView | undefined;
}

export const UNKNOWN_AT_TERMINATION = 'The container could not be located when the pod was terminated';

export function buildPodStatus(input: PodStatusInput): PodStatus {
  const { pod, record } = input;
  const inits = pod.spec.initContainers ?? [];
  const initStatuses = inits.map((c) => statusOf(c, input, 'PodInitializing'));
  const initsDone = inits.every((c) => c.restartPolicy === 'Always' || record.containers[c.name]?.current?.exitCode === 0);
  const statuses = pod.spec.containers.map((c) => statusOf(c, input, initsDone ? 'ContainerCreating' : 'PodInitializing'));
  let phase = record.terminalPhase ?? computePhase({
    spec: pod.spec, initContainerStatuses: initStatuses, containerStatuses: statuses, podIsTerminal: input.final,
  });
  if (input.final && !isTerminalPhase(phase)) phase = 'Failed';
  const hostIPs = [{ ip: input.nodeIP }];
  return {
    phase,
    conditions: buildConditions({
      phase, sandboxReady: input.sandboxReady && !input.final, sandboxMessage: input.sandboxMessage, sandboxGaps: input.sandboxGaps, initContainerStatuses: initStatuses,
      containerStatuses: statuses, previous: input.previousConditions, now: input.now,
    }),
    hostIP: input.nodeIP,
    hostIPs,
    ...(input.podIP ? { podIP: input.podIP, podIPs: [{ ip: input.podIP }] } : {}),
    startTime: record.startTime,
    ...(inits.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    qosClass: pod.status?.qosClass ?? 'BestEffort',
  };
}

function statusOf(c: Container, input: PodStatusInput, defaultWaiting: string): ContainerStatus {
  const rec = input.record.containers[c.name];
  const s = buildContainerStatus(c, rec, defaultWaiting, input.probes?.(c.name));
  if (!input.final) return s;
  // After termination nothing is waiting any more: show how each container ended.
  if (rec?.current?.finishedAt) return { ...s, state: { terminated: terminatedState(rec.current) }, lastState: rec.previous ? { terminated: terminatedState(rec.previous) } : {}, ready: false, started: false };
  if (s.state.terminated) return { ...s, ready: false, started: false };
  return {
    ...s, ready: false, started: false,
    state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: UNKNOWN_AT_TERMINATION } },
  };
}
