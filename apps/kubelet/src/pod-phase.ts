// The pod phase from container statuses: kubelet getPhase (pkg/kubelet/kubelet_pods.go), reference B1.
// Pure; the caller keeps terminal phases sticky (the status manager refuses "illegal phase transition").
import type { ContainerStatus, PodPhase, PodSpec } from '@podling/api';

export interface PhaseInput {
  spec: Pick<PodSpec, 'restartPolicy' | 'containers' | 'initContainers'>;
  initContainerStatuses: ContainerStatus[];
  containerStatuses: ContainerStatus[];
  /** The pod is being deleted and all its containers have been stopped for good. */
  podIsTerminal: boolean;
}

const failed = (s: ContainerStatus): boolean =>
  (s.state.terminated !== undefined && s.state.terminated.exitCode !== 0) ||
  (s.state.waiting !== undefined && (s.lastState.terminated?.exitCode ?? 0) !== 0);

export function computePhase(input: PhaseInput): PodPhase {
  const policy = input.spec.restartPolicy ?? 'Always';
  const byName = (list: ContainerStatus[]) => new Map(list.map((s) => [s.name, s]));
  const inits = byName(input.initContainerStatuses);
  let pendingInit = false;
  for (const c of input.spec.initContainers ?? []) {
    if (c.restartPolicy === 'Always') continue; // a sidecar is not waited for to complete
    const s = inits.get(c.name);
    if (s && failed(s) && policy === 'Never') return 'Failed';
    const succeeded = s?.state.terminated?.exitCode === 0;
    if (!succeeded) pendingInit = true;
  }
  const statuses = byName(input.containerStatuses);
  let running = 0, stopped = 0, succeeded = 0, waiting = 0, unknown = 0;
  for (const c of input.spec.containers) {
    const s = statuses.get(c.name);
    if (!s) { unknown++; continue; }
    if (s.state.running) running++;
    else if (s.state.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state.waiting) {
      if (s.lastState.terminated) { stopped++; if (s.lastState.terminated.exitCode === 0) succeeded++; } else waiting++;
    } else unknown++;
  }
  if (pendingInit && !input.podIsTerminal) return 'Pending';
  if (waiting > 0 && !input.podIsTerminal) return 'Pending';
  if (running > 0 && unknown === 0 && !input.podIsTerminal) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (input.podIsTerminal) return stopped === succeeded && waiting === 0 ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  if (input.podIsTerminal) return 'Failed';
  return 'Pending';
}

/** A terminal phase never changes back. */
export function isTerminalPhase(p: PodPhase | undefined): p is 'Succeeded' | 'Failed' {
  return p === 'Succeeded' || p === 'Failed';
}
