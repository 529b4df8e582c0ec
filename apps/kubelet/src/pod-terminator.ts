// Stopping a pod's containers (reference B5): the termination deadline, and the kill of each container — for the
// whole pod, or one container alone (failed liveness/startup probe or postStart; the worker then restarts it).
// A kill runs the preStop hook first (bounded by the grace, plus one 2 s extension if it is still running when the
// grace ends), then SIGTERMs the container's process group, then SIGKILLs it, and what it started (its cgroup),
// once the grace is over but never sooner than 2 s after the TERM.
//
// The deadline can only move earlier: a second delete with a shorter grace counts from when termination began; the
// API object vanishing (a force delete) leaves 1 s from then. What the terminator needs from its pod is the
// TerminationHost below: the record (which instance runs), a wait that wakes when anything changes, and how to
// reach into an instance. It imports nothing of the worker.
import { constants } from 'node:os';
import type { Container, Pod } from '@podling/api';
import type { EventRecorder, EventTarget } from '@podling/client';
import type { EntryPlan } from './container-entry.ts';
import type { ContainerRuntime } from './container-runtime.ts';
import { runPreStop } from './pre-stop-hook.ts';
import { isRunning, type InstanceRecord, type PodRecord } from './pod-record.ts';

export interface TerminationHost {
  /** Which instance of each container runs (read again after every wake-up). */
  readonly record: PodRecord;
  /** Resolves when anything about the pod changed (an instance exited, a new pod object) or at `untilMs`. */
  wait(untilMs: number): Promise<void>;
  /** The API object is gone (force delete): no preStop hook. */
  isGone(): boolean;
  /** The agent is shutting down: stop signalling; the processes are the next agent's. */
  isStopped(): boolean;
  /** How to run `argv` inside a running instance (the preStop exec). */
  enter(c: Container, inst: InstanceRecord, argv: string[]): EntryPlan;
  /** SIGKILLs what the instance started outside its process group (its cgroup, or the tracked descendants). */
  killTree(container: string, index: number): void;
  target(container: string): EventTarget;
  /** Called when a single container's kill ended, so the worker restarts it per policy. */
  changed(): void;
}

/** Force-deleted pods get 1 s (the kubelet's calculateEffectiveGracePeriod), then the 2 s container floor. */
const FORCE_GRACE_MS = 1000;
const MIN_TERM_TO_KILL_MS = 2000;
const PRESTOP_EXTENSION_MS = 2000;
/** After SIGKILL a group is gone within moments; bound the wait so a stuck exit report cannot wedge deletion. */
const AFTER_KILL_WAIT_MS = 5000;

export class PodTerminator {
  /** The signal last sent to each container's current instance (decides its exit code if it left none). */
  private readonly killedWith = new Map<string, number>();
  /** Kills of single containers outside termination, by container name. */
  private readonly kills = new Map<string, Promise<void>>();
  private since = 0;
  /** Epoch ms at which the pod's grace ends; Infinity until termination begins. */
  deadline = Infinity;

  constructor(private readonly host: TerminationHost, private readonly events: EventRecorder, private readonly runtime: Pick<ContainerRuntime, 'signalGroup'>) {}

  /** The signal last sent to the container's current instance. */
  signalSent(container: string): number | undefined { return this.killedWith.get(container); }

  /** A new instance of the container started: no signal was sent to it yet. */
  instanceStarted(container: string): void { this.killedWith.delete(container); }

  /** A single kill of this container is in progress. */
  isKilling(container: string): boolean { return this.kills.has(container); }

  /**
   * Stops one running container outside pod termination, like the kubelet's killContainer; its grace is cut short
   * if the pod's own deadline comes first.
   */
  killOne(c: Container, message: string, graceSeconds: number): void {
    if (this.kills.has(c.name)) return;
    const until = Date.now() + graceSeconds * 1000;
    const p = this.kill(c, { message, deadline: () => Math.min(until, this.deadline) })
      .finally(() => { this.kills.delete(c.name); this.host.changed(); });
    this.kills.set(c.name, p);
  }

  /** Termination begins: the deadline is set from the pod's grace (returned, in ms). */
  begin(pod: Pod): number {
    this.since = Date.now();
    this.deadline = this.since + graceMs(pod, this.host.isGone());
    return this.deadline - this.since;
  }

  /** Stops every container of `pod` at once, each by the deadline; resolves when all are down. */
  async killAll(pod: Pod): Promise<void> {
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    await Promise.all(containers.map((c) => this.kills.get(c.name) ?? this.kill(c)));
  }

  /** A newer pod object while terminating: a shorter grace counts from when termination began. */
  podUpdated(pod: Pod): void {
    if (this.since > 0 && !this.host.isGone()) this.deadline = Math.min(this.deadline, this.since + graceMs(pod, false));
  }

  /** The API object vanished (force delete): 1 s from now, if that is sooner. */
  podGone(): void {
    if (this.since > 0) this.deadline = Math.min(this.deadline, Date.now() + FORCE_GRACE_MS);
  }

  private async kill(c: Container, o: { message?: string; deadline?: () => number } = {}): Promise<void> {
    const deadline = o.deadline ?? (() => this.deadline);
    const inst = this.host.record.containers[c.name]?.current;
    if (!isRunning(inst)) return;
    const alive = () => !inst.finishedAt;
    const hook = c.lifecycle?.preStop;
    if (hook && !this.host.isGone()) {
      const res = await runPreStop(hook, { enter: (argv) => this.host.enter(c, inst, argv), deadline: () => deadline() + PRESTOP_EXTENSION_MS });
      if (!res.ok) this.events.record(this.host.target(c.name), 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${res.message}`);
    }
    if (!alive() || this.host.isStopped()) return;
    this.events.record(this.host.target(c.name), 'Normal', 'Killing', o.message ?? `Stopping container ${c.name}`);
    this.send(inst, 'SIGTERM', c.name);
    const termAt = Date.now();
    await this.waitWhile(alive, () => Math.max(deadline(), termAt + MIN_TERM_TO_KILL_MS));
    if (!alive() || this.host.isStopped()) return;
    this.send(inst, 'SIGKILL', c.name);
    this.host.killTree(c.name, inst.index); // what left the process group, too
    const killAt = Date.now();
    await this.waitWhile(alive, () => killAt + AFTER_KILL_WAIT_MS);
  }

  private send(inst: InstanceRecord, sig: 'SIGTERM' | 'SIGKILL', name: string): void {
    this.killedWith.set(name, constants.signals[sig]);
    this.runtime.signalGroup(inst.pid, sig, inst.procStart);
  }

  /** Waits while `cond` holds, until `until()` (re-read after every wake-up) or agent shutdown. */
  private async waitWhile(cond: () => boolean, until: () => number): Promise<void> {
    while (cond() && !this.host.isStopped() && Date.now() < until()) await this.host.wait(until());
  }
}

/** The grace a termination gets: the delete's, else the pod's (default 30 s, at least 1 s); 1 s when force-deleted. */
function graceMs(pod: Pod, gone: boolean): number {
  if (gone) return FORCE_GRACE_MS;
  const s = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(1, s) * 1000;
}
