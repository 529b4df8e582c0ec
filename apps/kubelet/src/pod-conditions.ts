// Pod conditions the kubelet owns (reference B3, pkg/kubelet/status/generate.go), in the kubelet's order.
// lastTransitionTime is carried over from the previous conditions unless the status flipped.
import type { ContainerStatus, PodCondition, PodPhase } from '@podling/api';

export interface ConditionInput {
  phase: PodPhase;
  sandboxReady: boolean;
  /** What the pod's sandbox lacks and why (it runs on the host's network and IPC instead). */
  sandboxMessage?: string;
  /** What the sandbox lacks: the pod runs, and its PodReadyToStartContainers condition says without what. */
  sandboxGaps?: string[];
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
    sandboxCondition(input),
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

/** PodReadyToStartContainers, saying what the sandbox lacks: its own network (host-network fallback), cgroups. */
function sandboxCondition(input: ConditionInput): Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'> {
  const gaps = input.sandboxGaps?.length ? `Pod runs without ${input.sandboxGaps.join('; without ')}` : undefined;
  const message = [input.sandboxMessage, gaps].filter((m) => m !== undefined).join('; ');
  const reason = input.sandboxMessage ? 'HostNetworkFallback' : gaps ? 'SandboxIncomplete' : undefined;
  return { type: 'PodReadyToStartContainers', status: input.sandboxReady ? 'True' : 'False', ...(reason ? { reason, message } : {}) };
}

function readiness(type: string, unready: string[], terminalReason: string | undefined): Omit<PodCondition, 'lastTransitionTime'> {
  if (unready.length === 0) return { type, status: 'True' };
  if (terminalReason) return { type, status: 'False', reason: terminalReason };
  return { type, status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: ${list(unready)}` };
}
