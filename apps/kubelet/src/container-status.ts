// ContainerStatus (reference B2) from what the agent recorded about a container. Pure.
import { rfc3339 } from '@podling/api';
import { createHash } from 'node:crypto';
import type { Container, ContainerState, ContainerStateTerminated, ContainerStatus } from '@podling/api';
import { isRunning, type ContainerRecord, type InstanceRecord } from './pod-record.ts';

export const containerID = (i: InstanceRecord): string => `podling://${i.pid}`;

/** Digests by image reference: a node runs few images, and a status is built on every change of every pod. */
const imageIDs = new Map<string, string>();
const MAX_IMAGE_IDS = 1024;

/** Images are recorded, never pulled; the ID is a stable digest of the reference. */
export function imageID(image: string): string {
  let id = imageIDs.get(image);
  if (id === undefined) {
    if (imageIDs.size >= MAX_IMAGE_IDS) imageIDs.clear();
    imageIDs.set(image, (id = `sha256:${createHash('sha256').update(image).digest('hex')}`));
  }
  return id;
}

export function terminatedState(i: InstanceRecord): ContainerStateTerminated {
  return {
    exitCode: i.exitCode ?? 137,
    ...(i.signal ? { signal: i.signal } : {}),
    reason: i.reason ?? (i.exitCode === 0 ? 'Completed' : 'Error'),
    ...(i.message ? { message: i.message } : {}),
    startedAt: rfc3339(i.startedAt),
    ...(i.finishedAt ? { finishedAt: rfc3339(i.finishedAt) } : {}),
    containerID: containerID(i),
  };
}

/** What probes say about the running instance (prober-manager.ts); without probes a running container is both. */
export interface ProbeView { started: boolean; ready: boolean }

/**
 * `defaultWaiting` is the reason shown before the first start: ContainerCreating, or PodInitializing for regular
 * containers while init containers run.
 */
export function buildContainerStatus(spec: Container, rec: ContainerRecord | undefined, defaultWaiting: string, probes?: ProbeView): ContainerStatus {
  const image = spec.image ?? '';
  const base = { name: spec.name, image, imageID: image ? imageID(image) : '', restartCount: rec?.restartCount ?? 0 };
  const cur = rec?.current;
  let state: ContainerState;
  let last: InstanceRecord | undefined = rec?.previous;
  if (rec?.waiting && !isRunning(cur)) {
    state = { waiting: { ...rec.waiting } };
    last = cur ?? rec.previous; // in back-off the last run is the one that just ended
  } else if (isRunning(cur)) {
    state = { running: { startedAt: rfc3339(cur.startedAt) } };
  } else if (cur) {
    state = { terminated: terminatedState(cur) };
  } else {
    state = { waiting: { reason: defaultWaiting } };
  }
  const running = state.running !== undefined;
  return {
    ...base,
    state,
    lastState: last ? { terminated: terminatedState(last) } : {},
    ready: running && (probes?.ready ?? true),
    started: running && (probes?.started ?? true),
    ...(cur ? { containerID: containerID(cur) } : {}),
  };
}
