// What a pod's sandbox lacks on this node for want of cgroups, as phrases after "Pod runs without ", for its SandboxIncomplete event and the
// message of its PodReadyToStartContainers condition: the pod still runs (as a pod did before cgroups), and says so
// rather than half-working silently. The first gap is the no-cgroup fallback of descendant-tracker.ts.
import type { Pod } from '@podling/api';
import type { ContainerCgroups } from './container-cgroup.ts';

export function cgroupGaps(cgroups: ContainerCgroups, pod: Pod): string[] {
  const gaps: string[] = [];
  if (cgroups.mode.kind === 'none') {
    gaps.push(`a cgroup for its containers (${cgroups.mode.reason}): processes that leave a container's process group are found by /proc scans every 500 ms, and one that escapes between two scans is not ended with its container`);
  }
  const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  if (cgroups.missing.memory && all.some((c) => c.resources?.limits?.memory !== undefined)) {
    gaps.push(`its limits.memory (no cgroup memory controller: ${cgroups.missing.memory})`);
  }
  if (cgroups.missing.cpu && all.some((c) => c.resources?.limits?.cpu !== undefined || c.resources?.requests?.cpu !== undefined)) {
    gaps.push(`its limits.cpu and requests.cpu (no cgroup cpu controller: ${cgroups.missing.cpu})`);
  }
  return gaps;
}
