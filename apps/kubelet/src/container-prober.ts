// The probes of one container instance and what they decide (k/k pkg/kubelet/prober/prober_manager.go
// `UpdatePodStatus`, `isContainerStarted`): the startup probe runs first and gates the others, which start once it
// passed; `started` and `ready` are derived here and nowhere else; a liveness or startup Failure is reported once
// as the reason to kill the instance. A new instance gets a new ContainerProber, so results reset on restart.
import type { Container, Probe } from '@podling/api';
import type { ActionResult } from './probe-action.ts';
import { ProbeWorker, type ProbeType } from './probe-worker.ts';

export type ProbeFailure = { type: 'liveness' | 'startup'; probe: Probe };

export interface ContainerProberOptions {
  container: Container;
  index: number;
  startedAt: number;
  /** The instance was adopted from a previous agent: spread first runs over one period. */
  jitter: boolean;
  act(probe: Probe): Promise<ActionResult>;
  warn(reason: string, message: string): void;
  /** started, ready or a kill reason changed. */
  changed(): void;
}

export class ContainerProber {
  private startup: ProbeWorker | undefined;
  private liveness: ProbeWorker | undefined;
  private readiness: ProbeWorker | undefined;
  private failure: ProbeFailure | undefined;
  private stopped = false;

  constructor(private readonly o: ContainerProberOptions) {
    const c = o.container;
    if (c.startupProbe) this.startup = this.worker('Startup', c.startupProbe);
    else this.startGated();
  }

  get index(): number { return this.o.index; }

  /** The container counts as started: its startup probe passed, or it has none. */
  get started(): boolean { return !this.startup || this.startup.result === 'success'; }

  get ready(): boolean {
    if (!this.started || this.failure) return false;
    return !this.readiness || this.readiness.result === 'success';
  }

  /** Why the instance must be killed, once a liveness or startup probe failed. */
  get failed(): ProbeFailure | undefined { return this.failure; }

  /** Pod termination: liveness and startup stop (a dying container is not restarted); readiness goes on. */
  stopLiveness(): void {
    this.startup?.stop();
    this.liveness?.stop();
  }

  stop(): void {
    this.stopped = true;
    for (const w of [this.startup, this.liveness, this.readiness]) w?.stop();
  }

  private startGated(): void {
    const c = this.o.container;
    if (c.livenessProbe) this.liveness = this.worker('Liveness', c.livenessProbe);
    if (c.readinessProbe) this.readiness = this.worker('Readiness', c.readinessProbe);
  }

  private worker(type: ProbeType, probe: Probe): ProbeWorker {
    return new ProbeWorker({
      type, probe, startedAt: this.o.startedAt, jitter: this.o.jitter,
      act: () => this.o.act(probe),
      warn: (reason, message) => this.o.warn(reason, message),
      changed: (result) => {
        if (this.stopped) return;
        if (type !== 'Readiness' && result === 'failure') {
          this.failure = { type: type === 'Liveness' ? 'liveness' : 'startup', probe };
          this.stop();
        }
        if (type === 'Startup' && result === 'success') this.startGated();
        this.o.changed();
      },
    });
  }
}
