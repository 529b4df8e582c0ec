// Stopping one container (reference B5), for a terminating pod or alone (failed liveness/startup probe or postStart,
// then restarted by the worker): preStop hook first (bounded by the grace, plus one 2 s extension if it is still
// running when the grace ends), then SIGTERM to the container's process group, then SIGKILL once the grace is over
// but never sooner than 2 s after the TERM. The grace can only shrink meanwhile (a shorter second delete, or a
// force delete that makes it 1 s); the worker keeps `deadline` current.
import type { Container } from '@podling/api';
import { constants } from 'node:os';
import { containerEntry } from './container-entry.ts';
import { runPreStop } from './pre-stop-hook.ts';
import { isRunning, type ContainerRecord, type InstanceRecord } from './pod-record.ts';
import type { PodWorker, WorkerDeps } from './pod-worker.ts';

const MIN_TERM_TO_KILL_MS = 2000;
const PRESTOP_EXTENSION_MS = 2000;
/** After SIGKILL a group is gone within moments; bound the wait so a stuck exit report cannot wedge deletion. */
const AFTER_KILL_WAIT_MS = 5000;

export interface KillOptions {
  /** The Killing event's message (Kubernetes: `Stopping container <name>` unless a reason is given). */
  message?: string;
  /** Epoch ms at which the grace ends, re-read after every wake-up; the pod's termination deadline by default. */
  deadline?: () => number;
}

export async function killContainer(w: PodWorker, c: Container, killedWith: Map<string, number>, deps: WorkerDeps, o: KillOptions = {}): Promise<void> {
  const deadline = o.deadline ?? (() => w.deadline);
  const rec: ContainerRecord | undefined = w.record.containers[c.name];
  const inst = rec?.current;
  if (!rec || !isRunning(inst)) return;
  const alive = () => !inst.finishedAt;
  const hook = c.lifecycle?.preStop;
  if (hook && !w.isGone) {
    const res = await runPreStop(hook, {
      enter: (argv) => containerEntry({ container: c, index: inst.index, pid: inst.pid }, w.launchContext(), argv),
      deadline: () => deadline() + PRESTOP_EXTENSION_MS,
    });
    if (!res.ok) deps.events.warning(w.target(c.name), 'FailedPreStopHook', `PreStopHook failed: ${res.message}`);
  }
  if (!alive() || w.isStopped) return;
  deps.events.normal(w.target(c.name), 'Killing', o.message ?? `Stopping container ${c.name}`);
  send(inst, 'SIGTERM', c.name, killedWith, deps);
  const termAt = Date.now();
  await waitWhile(w, alive, () => Math.max(deadline(), termAt + MIN_TERM_TO_KILL_MS));
  if (!alive() || w.isStopped) return;
  send(inst, 'SIGKILL', c.name, killedWith, deps);
  w.sandbox.killInstance(c.name, inst.index); // what left the process group, too
  const killAt = Date.now();
  await waitWhile(w, alive, () => killAt + AFTER_KILL_WAIT_MS);
}

function send(inst: InstanceRecord, sig: 'SIGTERM' | 'SIGKILL', name: string, killedWith: Map<string, number>, deps: WorkerDeps): void {
  killedWith.set(name, constants.signals[sig]);
  deps.runtime.signalGroup(inst.pid, sig, inst.procStart);
}

/** Waits while `cond` holds, until `until()` (re-read after every wake-up) or agent shutdown. */
async function waitWhile(w: PodWorker, cond: () => boolean, until: () => number): Promise<void> {
  while (cond() && !w.isStopped && Date.now() < until()) await w.wait(until());
}
