// Pod conditions the kubelet owns (reference B3, pkg/kubelet/status/generate.go), in the kubelet's order.
// lastTransitionTime is carried over from the previous conditions unless the status flipped.
import type { ContainerStatus, PodCondition, PodPhase } from '@podling/api';

export interface ConditionInput {
  phase: PodPhase;
  sandboxReady: boolean;
  /** What the pod's sandbox lacks and why (it runs on the host's network and IPC instead). */
  sandboxMessage?: string;
  initContainerStatuses: ContainerStatus[];
  containerStatuses: ContainerStatus[];
  previous: PodCondition[] | undefined;
  now: string;
}

const list = (names: string[]) => `[${names.join(' ')}]`;

export function buildConditions(input: ConditionInput): PodCondition[] {
  const terminalReason = input.phase === 'Succeeded' ? 'PodCompleted' : input.phase === 'Failed' ? 'PodFailed' : undefined;
  const incompleteInit = input.initContainerStatuses.filter((s) => s.state.terminated?.exitCode !== 0).map((s) => s.name);
  const unready = input.containerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const conds: Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'>[] = [
    { type: 'PodReadyToStartContainers', status: input.sandboxReady ? 'True' : 'False', ...(input.sandboxMessage ? { reason: 'HostNetworkFallback', message: input.sandboxMessage } : {}) },
    incompleteInit.length === 0
      ? { type: 'Initialized', status: 'True', ...(input.phase === 'Succeeded' ? { reason: 'PodCompleted' } : {}) }
      : { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: ${list(incompleteInit)}` },
    readiness('Ready', unready, terminalReason),
    readiness('ContainersReady', unready, terminalReason),
    { type: 'PodScheduled', status: 'True' },
  ];
  return conds.map((c) => {
    const prev = input.previous?.find((p) => p.type === c.type);
    const lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : input.now;
    return { ...c, lastProbeTime: null, lastTransitionTime };
  });
}

function readiness(type: string, unready: string[], terminalReason: string | undefined): Omit<PodCondition, 'lastTransitionTime'> {
  if (unready.length === 0) return { type, status: 'True' };
  if (terminalReason) return { type, status: 'False', reason: terminalReason };
  return { type, status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: ${list(unready)}` };
}
