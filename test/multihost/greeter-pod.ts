// The lab's test pod: it greets with where it runs (the downward API's hostIP), then sleeps until stopped; and the
// condition the lab tests wait for, every container of it running and ready.
import type { Pod } from '@podling/api';

export function greeterPod(name: string, placement: Partial<Pod['spec']>): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: {
      ...placement, terminationGracePeriodSeconds: 5,
      containers: [{
        name: 'app', image: 'busybox',
        command: ['sh', '-c', `echo "$POD_NAME on $HOST_IP"; exec sleep 3600`],
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }],
      }],
    },
  };
}

export const runningAndReady = (p: Pod) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready) === true;
