// A pod's probers (k/k pkg/kubelet/prober/prober_manager.go, one per pod here): a ContainerProber for each running
// instance of a container that has probes, replaced when a new instance runs and dropped when it ended. The pod
// worker calls sync() after each pass and reads started/ready and kill reasons from here. Cheap by construction:
// one timer per probe, no loop over pods, and a process only for exec probes.
import type { Container, Probe } from '@podling/api';
import { ContainerProber, type ProbeFailure } from './container-prober.ts';
import type { ProbeView } from './container-status.ts';
import type { ActionResult } from './probe-action.ts';
import { isRunning, type PodRecord } from './pod-record.ts';

export interface ProberDeps {
  act(c: Container, index: number, probe: Probe): Promise<ActionResult>;
  warn(container: string, reason: string, message: string): void;
  /** A container's started/ready or kill reason changed: the pod's status is due. */
  changed(): void;
}

const hasProbes = (c: Container) => !!(c.livenessProbe || c.readinessProbe || c.startupProbe);

export class ProberManager {
  private readonly probers = new Map<string, ContainerProber>();
  private livenessStopped = false;

  constructor(private readonly deps: ProberDeps) {}

  /**
   * Follows the record: probes for running instances whose start is complete (postStart done; `skip` names those
   * that are not, or are being killed), none for the rest. `adopted` instances get their first runs spread.
   */
  sync(containers: Container[], record: PodRecord, skip: (name: string) => boolean, adopted: (name: string, index: number) => boolean): void {
    for (const c of containers) {
      const cur = record.containers[c.name]?.current;
      const p = this.probers.get(c.name);
      if (p && (!isRunning(cur) || cur.index !== p.index)) { p.stop(); this.probers.delete(c.name); }
      if (!hasProbes(c) || !isRunning(cur) || this.probers.has(c.name) || skip(c.name)) continue;
      const prober = new ContainerProber({
        container: c, index: cur.index, startedAt: Date.parse(cur.startedAt), jitter: adopted(c.name, cur.index),
        act: (probe) => this.deps.act(c, cur.index, probe),
        warn: (reason, message) => this.deps.warn(c.name, reason, message),
        changed: () => this.deps.changed(),
      });
      if (this.livenessStopped) prober.stopLiveness();
      this.probers.set(c.name, prober);
    }
  }

  /** What the probes say about a container's current instance; undefined when it has none running. */
  view(name: string): ProbeView | undefined {
    const p = this.probers.get(name);
    return p && { started: p.started, ready: p.ready };
  }

  failed(name: string): ProbeFailure | undefined {
    return this.probers.get(name)?.failed;
  }

  /** The pod is terminating: nothing is restarted for a probe any more. */
  stopLiveness(): void {
    this.livenessStopped = true;
    for (const p of this.probers.values()) p.stopLiveness();
  }

  stop(): void {
    for (const p of this.probers.values()) p.stop();
    this.probers.clear();
  }
}
