// The agent's EventRecorder (client-go's, with the kubelet's limits). Events never block pod work: at most 4 requests
// run at once and beyond 1,000 waiting new events are dropped. Sends are rate-limited like the kubelet's
// (eventRecordQPS 50, eventBurst 100): a burst of new pods records two events each, and sending them all at once
// would compete with the pods' status writes for the apiserver. For the same reason pod events wait while pod
// statuses are being written (`yieldTo`, at most 2 s): on a 2-core machine starting 200 pods, the ~170 event POSTs
// that fell inside the burst cost the agent and the apiserver ~0.6 ms of CPU per pod, taken from the work a user
// waits for (the pods reaching Running).
import { EventRecorder, type EventYield, type KubeClientApi } from '@podling/client';
import type { Logger } from './logger.ts';

export function kubeletEventRecorder(client: KubeClientApi, nodeName: string, log: Logger, yieldTo?: EventYield): EventRecorder {
  return new EventRecorder(client, {
    component: 'kubelet', host: nodeName, logger: log,
    qps: 50, burst: 100, maxInFlight: 4, maxQueue: 1000, yieldTo,
  });
}
