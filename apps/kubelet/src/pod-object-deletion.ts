// The last step of a pod's termination on its node (reference B5, the kubelet's status manager): once the
// containers are down and the final status is written, DELETE the API object with grace 0 and a UID precondition,
// so a pod recreated under the same name is never touched. Retried with back-off until it succeeds, the object is
// gone (404, or 409: another uid), or the worker stops caring (force delete seen, agent shutdown).
import { isStatusError } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
import type { Logger } from './logger.ts';
import type { PodKey } from './status-manager.ts';

const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 5000;

export interface DeletionHost {
  /** True once there is no point in trying again. */
  cancelled(): boolean;
  /** Sleeps until `untilMs`, or earlier when the pod changed (so a cancellation is seen at once). */
  wait(untilMs: number): Promise<void>;
}

export async function deletePodObject(client: KubeClientApi, key: PodKey, host: DeletionHost, log: Logger): Promise<void> {
  let retry = RETRY_MIN_MS;
  while (!host.cancelled()) {
    try {
      await client.delete({ resource: 'pods', namespace: key.namespace }, key.name, { gracePeriodSeconds: 0, preconditions: { uid: key.uid } });
      return;
    } catch (err) {
      if (isStatusError(err) && (err.code === 404 || err.code === 409)) return;
      log.warn({ err }, 'final delete failed; retrying');
      await host.wait(Date.now() + retry);
      retry = Math.min(retry * 2, RETRY_MAX_MS);
    }
  }
}
