// Finds the running instance of a container for exec and attach, with the kubelet's refusal when there is none
// (`container not found ("c")`, plain text, 500; kubelet pkg/kubelet/server/server.go via the CRI).
import { StatusError } from '@podling/api';
import { containerEntry } from './container-entry.ts';
import { isRunning } from './pod-record.ts';
import type { PodWorker } from './pod-worker.ts';
import { StreamRefusal, type ContainerHandle } from './stream-server.ts';

export function findContainer(w: PodWorker | undefined, podName: string, container: string): ContainerHandle {
  if (!w) throw new StatusError(404, 'NotFound', `pod does not exist: ${podName}`);
  const pod = w.currentPod;
  const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === container);
  const inst = w.record.containers[container]?.current;
  if (!spec || !isRunning(inst)) throw new StreamRefusal(500, `container not found (${JSON.stringify(container)})`);
  return {
    enter: (argv) => containerEntry({ container: spec, index: inst.index, pid: inst.pid }, w.launchContext(), argv),
    attach: () => ({
      logPath: w.paths.log(container, inst.index),
      stdinFifo: spec.stdin || spec.tty ? w.paths.fifo(container, 'stdin') : undefined,
      isDone: () => inst.finishedAt !== undefined || w.state === 'terminated' || w.isStopped,
    }),
  };
}
