// One worker per pod UID (the kubelet's pod_workers): it owns that pod's processes, record and status.
//
//   update(pod)/podGone() ──► sync ───────────────► terminating ───────────────► terminated
//                             start / restart        preStop hooks, TERM every     final status written, API
//                             containers per         container group at once,      object deleted (grace 0 +
//                             restartPolicy and      KILL what is left at the      uid precondition), pod dir
//                             back-off               grace (≥ 2 s after TERM)      removed
//
// The latest update wins: the loop only ever looks at the newest pod object, so intermediate updates may be
// skipped. A deletionTimestamp or the object vanishing (force delete) moves the worker to terminating; nothing goes
// back. stop() (agent shutdown) leaves the processes running and the record on disk for the next agent to adopt.
import { rfc3339 } from '@podling/api';
import type { Container, Pod, PodCondition } from '@podling/api';
import { timerDelay, type EventTarget } from '@podling/client';
import type { LaunchContext } from './container-launcher.ts';
import type { Logger } from './logger.ts';
import type { ExitInfo } from './process-runtime.ts';
import type { WorkerDeps } from './worker-deps.ts';
import type { WorkerSandbox } from './container-runtime.ts';
import { serviceEnv } from './service-env.ts';
import { isRunning, type PodRecord } from './pod-record.ts';
import { PodPaths } from './pod-paths.ts';
import { PodState } from './pod-state.ts';
import { PodTerminator } from './pod-terminator.ts';
import { deletePodObject } from './pod-object-deletion.ts';
import type { StatusManager } from './status-manager.ts';
import { buildPodStatus } from './pod-status.ts';
import { isTerminalPhase } from './pod-phase.ts';
import { containerEntry } from './container-entry.ts';
import { containerExec } from './container-exec.ts';
import { restartContainer, startContainer } from './container-starter.ts';
import type { ContainerExec } from './exec-action.ts';
import { runProbeAction } from './probe-action.ts';
import { ProberManager } from './prober-manager.ts';

export type WorkerState = 'sync' | 'terminating' | 'terminated';

/** How often a pod waiting for the node's pod range looks again. */
const NETWORK_RETRY_MS = 500;

export class PodWorker {
  readonly uid: string;
  state: WorkerState = 'sync';
  private pod: Pod;
  private gone = false;
  private stopped = false;
  /** The pod's record; every write of it goes through here. */
  readonly podState: PodState;
  readonly paths: PodPaths;
  readonly sandbox: WorkerSandbox;
  private readonly log: Logger;
  readonly terminator: PodTerminator;
  private readonly waiters = new Set<() => void>();
  private gen = 0;
  private conditions: PodCondition[] | undefined;
  private readonly warned = new Set<string>();
  readonly probes: ProberManager;
  /** Instances that a previous agent started (their probes' first runs are spread over a period). */
  private readonly adopted: Set<string>;
  private readonly life = new AbortController();
  readonly done: Promise<void>;

  constructor(pod: Pod, recovered: PodRecord | undefined, private readonly deps: WorkerDeps) {
    this.pod = pod;
    this.uid = pod.metadata.uid!;
    this.paths = new PodPaths(deps.rootDir, this.uid);
    this.podState = new PodState(this.uid, pod.metadata.namespace!, pod.metadata.name!, recovered, deps.store);
    this.log = deps.log.child({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, uid: this.uid });
    this.sandbox = deps.runtime.sandbox(this.uid, this.paths, () => this.podState.observed());
    this.terminator = new PodTerminator({
      record: this.record, wait: (until) => this.wait(until), changed: () => this.poke(), target: (c) => this.target(c),
      isGone: () => this.gone, isStopped: () => this.stopped,
      enter: (c, inst, argv) => containerEntry({ container: c, index: inst.index, pid: inst.pid }, this.launchContext(), argv),
      killTree: (c, index) => this.sandbox.killInstance(c, index),
    }, deps.events, deps.runtime);
    this.adopted = new Set(Object.values(this.record.containers).filter((r) => isRunning(r.current)).map((r) => `${r.name}:${r.current!.index}`));
    this.probes = new ProberManager({
      act: (c, index, probe) => runProbeAction(probe, { container: c, podIP: this.podIP, exec: this.execIn(c, index) }),
      warn: (c, reason, message) => deps.events.record(this.target(c), 'Warning', reason, message),
      changed: () => this.poke(),
    });
    this.done = this.run();
  }

  get record(): PodRecord { return this.podState.record; }
  get currentPod(): Pod { return this.pod; }
  get isGone(): boolean { return this.gone; }
  get isStopped(): boolean { return this.stopped; }
  /** Aborted when the pod starts terminating or the agent stops: hooks in progress give up. */
  get lifetime(): AbortSignal { return this.life.signal; }
  /**
   * The pod's address, where httpGet/tcpSocket/grpc probes and hooks connect (as the kubelet's prober, whose host
   * defaults to the pod IP): its sandbox's IP, or the node's for hostNetwork pods and the host-network fallback.
   */
  get podIP(): string { return this.sandbox.network.podIP ?? this.deps.nodeIP; }

  warnOnce(key: string): boolean {
    if (this.warned.has(key)) return false;
    this.warned.add(key);
    return true;
  }

  /** Runs commands inside instance `index` of `c` (exec probes and hooks). */
  execIn(c: Container, index: number): ContainerExec {
    return containerExec({ container: c, index, record: () => this.record.containers[c.name], launchContext: () => this.launchContext(), runtime: this.deps.runtime });
  }

  /** Stops one running container outside pod termination (failed liveness/startup probe or postStart). */
  killInstance(c: Container, message: string, graceSeconds: number): void {
    this.terminator.killOne(c, message, graceSeconds);
  }

  update(pod: Pod): void {
    this.pod = pod;
    this.terminator.podUpdated(pod);
    this.poke();
  }

  podGone(): void {
    this.gone = true;
    this.deps.status.forget(this.uid); // its pending status writes can only fail now
    this.terminator.podGone();
    this.poke();
  }

  /** Agent shutdown: stop managing, leave processes running. */
  stop(): Promise<void> {
    this.stopped = true;
    this.podState.stop();
    this.life.abort();
    this.probes.stop();
    this.poke();
    return this.done;
  }

  poke(): void {
    this.gen++;
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  /** Waits for a poke after generation `since`, or until `untilMs`. */
  wait(untilMs: number, since = this.gen): Promise<void> {
    if (since !== this.gen || this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => { clearTimeout(timer); this.waiters.delete(done); resolve(); };
      const timer = Number.isFinite(untilMs) ? setTimeout(done, timerDelay(untilMs - Date.now())) : undefined;
      this.waiters.add(done);
    });
  }

  /** What planLaunch and containerEntry need to know about this pod on this node. */
  launchContext(): LaunchContext {
    return {
      pod: this.pod, paths: this.paths, nodeIP: this.deps.nodeIP, namespaces: this.deps.namespaces, mountBin: this.deps.mountBin,
      sandbox: this.sandbox.network.sandbox, resolvConf: this.sandbox.network.resolvConf,
      instanceCgroups: (container, index) => this.sandbox.instanceCgroups?.(container, index) ?? [],
      defaultHostUsers: this.deps.defaultHostUsers, serviceEnv: () => serviceEnv(this.pod, this.deps.services?.() ?? []), userNamespaceBase: () => (this.record.userNamespaceBase ??= this.deps.userNamespaces.claim(this.uid)),
    };
  }

  target(c?: string): EventTarget {
    return { namespace: this.record.namespace, name: this.record.name, uid: this.uid, ...(c ? { fieldPath: `spec.containers{${c}}` } : {}) };
  }

  private async run(): Promise<void> {
    try {
      await this.sandbox.prepare(this.pod, this.record, (name, index, info) => this.instanceExited(name, index, info), (name) => this.terminator.signalSent(name));
      this.log.debug({}, 'sandbox ready');
      for (const gap of this.sandbox.gaps) this.deps.events.record(this.target(), 'Warning', 'SandboxIncomplete', `Pod runs without ${gap}`);
      let recorded = false;
      while (!this.stopped) {
        if (this.gone || this.pod.metadata.deletionTimestamp) { await this.terminate(); break; }
        const since = this.gen;
        const wakeAt = await this.sync();
        // On disk from the first pass on: saved after it, the record is one write with the first start's.
        if (!recorded) { this.podState.save(); recorded = true; }
        this.publish(false);
        await this.wait(wakeAt, since);
      }
    } catch (err) {
      this.log.error({ err }, 'pod worker failed');
    } finally {
      if (this.state !== 'terminated') this.sandbox.detach();
    }
  }

  /** One pass over the containers; returns when the next back-off ends (epoch ms) or Infinity. */
  private async sync(): Promise<number> {
    if (this.record.terminalPhase) return Infinity;
    if (!(await this.networkReady())) return Date.now() + NETWORK_RETRY_MS;
    const spec = this.pod.spec;
    const policy = spec.restartPolicy ?? 'Always';
    const now = Date.now();
    let wakeAt = Infinity;
    let initDone = true;
    for (const c of spec.initContainers ?? []) {
      const r = this.record.containers[c.name];
      if (r?.current?.finishedAt && r.current.exitCode === 0) continue;
      initDone = false;
      if (isRunning(r?.current)) break;
      if (!r?.current) await startContainer(this, c, true, this.deps);
      else if (policy !== 'Never') wakeAt = Math.min(wakeAt, await restartContainer(this, c, true, now, this.deps));
      break;
    }
    if (!initDone) return wakeAt;
    for (const c of spec.containers) {
      const cur = this.record.containers[c.name]?.current;
      if (!cur) { await startContainer(this, c, false, this.deps); continue; }
      const probeFailure = this.probes.failed(c.name);
      if (probeFailure && isRunning(cur)) {
        const grace = probeFailure.probe.terminationGracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
        this.killInstance(c, `Container ${c.name} failed ${probeFailure.type} probe${policy === 'Never' ? '' : ', will be restarted'}`, grace);
      }
      if (!cur.finishedAt) continue;
      const failed = cur.exitCode !== 0;
      if (policy === 'Always' || (policy === 'OnFailure' && failed)) wakeAt = Math.min(wakeAt, await restartContainer(this, c, false, now, this.deps));
    }
    this.probes.sync(spec.containers, this.record, (n) => this.terminator.isKilling(n), (n, i) => this.adopted.has(`${n}:${i}`));
    return wakeAt;
  }

  /** Settles the pod's network before its first container; warns once while waiting and once on a fallback. */
  private async networkReady(): Promise<boolean> {
    const s = await this.sandbox.network.ensure(this.pod, Object.keys(this.record.containers).length > 0);
    if (s.kind === 'waiting') {
      if (this.warnOnce('NetworkNotReady')) this.deps.events.record(this.target(), 'Warning', 'NetworkNotReady', s.message);
      return false;
    }
    if (s.fallback && this.warnOnce('HostNetworkFallback')) this.deps.events.record(this.target(), 'Warning', 'HostNetworkFallback', s.fallback);
    for (const w of this.sandbox.network.dnsWarnings ?? []) if (this.warnOnce(`${w.reason}: ${w.message}`)) this.deps.events.record(this.target(), 'Warning', w.reason, w.message);
    return true;
  }

  /** An instance ended (reported by the runtime, or found gone at adoption). */
  instanceExited(name: string, index: number, info: ExitInfo): void {
    if (!this.podState.exited(name, index, info)) return;
    this.sandbox.endInstance(name);
    if (info.reason === 'StartError') this.deps.events.record(this.target(name), 'Warning', 'Failed', `Error: ${info.message}`);
    this.log.debug({ container: name, index, exitCode: info.exitCode }, 'container exited');
    this.poke();
  }

  private publish(final: boolean): void {
    const status = buildPodStatus({
      pod: this.pod, record: this.record, nodeIP: this.deps.nodeIP, podIP: this.sandbox.network.podIP, sandboxReady: this.sandbox.network.podIP !== undefined,
      sandboxMessage: this.sandbox.network.fallback, sandboxGaps: this.sandbox.gaps, final,
      previousConditions: this.conditions, now: rfc3339(new Date()), probes: (c) => this.probes.view(c),
    });
    this.conditions = status.conditions;
    if (isTerminalPhase(status.phase) && this.podState.reachedTerminal(status.phase)) this.log.info({ phase: status.phase }, 'pod reached a terminal phase');
    this.deps.status.set({ uid: this.uid, namespace: this.record.namespace, name: this.record.name }, status);
  }

  private async terminate(): Promise<void> {
    this.state = 'terminating';
    const graceMs = this.terminator.begin(this.pod);
    this.log.info({ graceMs, force: this.gone }, 'terminating pod');
    this.life.abort();
    this.probes.stopLiveness();
    await this.terminator.killAll(this.pod);
    this.probes.stop();
    if (this.stopped) return; // a restarted agent terminates again, with the full grace
    // The sandbox (cgroups, network, IPC) goes before the pod object, as the kubelet's killPod stops the pod sandbox
    // (CNI DEL) before the pod counts as reclaimed and is deleted: once the pod is gone from the API, its IP is free
    // and nothing of it is left on the node.
    await this.sandbox.close();
    if (!this.gone) {
      this.publish(true);
      await this.deps.status.flush(this.uid);
      const key = { uid: this.uid, namespace: this.record.namespace, name: this.record.name };
      await deletePodObject(this.deps.client, key, { cancelled: () => this.stopped || this.gone, wait: (until) => this.wait(until) }, this.log);
    }
    if (this.stopped) return;
    this.deps.status.forget(this.uid);
    await this.podState.remove();
    this.deps.userNamespaces.release(this.uid);
    this.state = 'terminated';
    this.log.info({}, 'pod terminated and cleaned up');
  }
}
