// Which instance's log file GET /containerLogs serves, with the kubelet's rules and error texts
// (kubelet_pods.go validateContainerLogStatus): `previous` is the last terminated instance; otherwise the running
// one, else the last finished one; a container that never ran is "waiting to start".
import { StatusError } from '@podling/api';
import { buildContainerStatus } from './container-status.ts';
import type { FollowSource } from './log-reader.ts';
import type { PodWorker } from './pod-worker.ts';

export type LogTarget = FollowSource;

export function containerLogTarget(w: PodWorker, container: string, previous: boolean): LogTarget {
  const pod = w.currentPod;
  const podName = pod.metadata.name!;
  const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === container);
  if (!spec) throw new StatusError(400, 'BadRequest', `container ${container} is not valid for pod ${podName}`);
  const rec = w.record.containers[container];
  const status = buildContainerStatus(spec, rec, 'ContainerCreating');
  const last = rec?.waiting && rec.current?.finishedAt ? rec.current : rec?.previous;
  const target = (i: { index: number; finishedAt?: string } | undefined): LogTarget => ({
    logPath: w.paths.log(container, i!.index),
    isDone: () => i!.finishedAt !== undefined || w.state === 'terminated' || w.isStopped,
    watchRotation: (fresh) => w.sandbox.watchRotation(container, w.paths.log(container, i!.index), fresh),
  });
  if (previous) {
    if (!last) throw new StatusError(400, 'BadRequest', `previous terminated container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} not found`);
    return target(last);
  }
  if (status.state.running || status.state.terminated) return target(rec!.current);
  if (last) return target(last);
  throw new StatusError(400, 'BadRequest', `container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is waiting to start: ${status.state.waiting?.reason ?? 'ContainerCreating'}`);
}
