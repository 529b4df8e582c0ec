// One probe of one container instance (k/k pkg/kubelet/prober/worker.go), driven by a single timer: the first run
// when initialDelaySeconds have passed since the container started (after a random part of one period when the
// agent adopted a running container, so an agent restart does not fire every probe at once), then one run per
// periodSeconds, never two at a time. The cached result starts as Kubernetes seeds it (readiness Failure, liveness
// Success, startup Unknown) and flips only after failureThreshold failures or successThreshold successes in a row.
// A liveness or startup Failure, and a startup Success, end the worker: what follows needs a new instance.
import type { Probe } from '@podling/api';
import type { ActionResult } from './probe-action.ts';

export type ProbeType = 'Liveness' | 'Readiness' | 'Startup';
export type ProbeResult = 'success' | 'failure' | 'unknown';

/** prober.go maxProbeRetries: a run is retried only when it errored. */
const MAX_PROBE_RETRIES = 3;

export interface ProbeWorkerOptions {
  type: ProbeType;
  /** Defaulted by the API (period, timeout, thresholds). */
  probe: Probe;
  /** Epoch ms at which the container instance started. */
  startedAt: number;
  /** Spread the first run over one period (adopted instances). */
  jitter: boolean;
  act(): Promise<ActionResult>;
  /** Warning events (Unhealthy, ProbeWarning). */
  warn(reason: string, message: string): void;
  /** Called when the cached result changed. */
  changed(result: ProbeResult): void;
}

export class ProbeWorker {
  result: ProbeResult;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private last: ProbeResult | undefined;
  private run = 0;

  constructor(private readonly o: ProbeWorkerOptions) {
    this.result = o.type === 'Readiness' ? 'failure' : o.type === 'Liveness' ? 'success' : 'unknown';
    const periodMs = (o.probe.periodSeconds || 10) * 1000;
    const first = o.startedAt + (o.probe.initialDelaySeconds ?? 0) * 1000;
    this.schedule(Math.max(first, Date.now() + (o.jitter ? Math.random() * periodMs : 0)));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(at), Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  private async tick(at: number): Promise<void> {
    const r = await this.probeOnce();
    if (this.stopped) return;
    if (r !== undefined) this.record(r);
    const periodMs = (this.o.probe.periodSeconds || 10) * 1000;
    let next = at + periodMs;
    if (next < Date.now()) next = Date.now() + periodMs; // a run longer than the period skips the missed ticks
    this.schedule(next);
  }

  /** One run with retries on errors; undefined when it errored every time (nothing is counted). */
  private async probeOnce(): Promise<'success' | 'failure' | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { result, output } = await this.o.act();
        if (this.stopped) return undefined;
        if (result === 'failure') this.o.warn('Unhealthy', `${this.o.type} probe failed: ${output}`);
        if (result === 'warning') this.o.warn('ProbeWarning', `${this.o.type} probe warning: ${output}`);
        return result === 'failure' ? 'failure' : 'success';
      } catch (err) {
        // A ProbeError, or any other failure to make the run at all: the kubelet's "probe errored".
        if (this.stopped) return undefined;
        if (attempt < MAX_PROBE_RETRIES) continue;
        this.o.warn('Unhealthy', `${this.o.type} probe errored and resulted in unknown state: ${(err as Error).message}`);
        return undefined;
      }
    }
  }

  private record(r: 'success' | 'failure'): void {
    this.run = r === this.last ? this.run + 1 : 1;
    this.last = r;
    const { failureThreshold = 3, successThreshold = 1 } = this.o.probe;
    if ((r === 'failure' && this.run < failureThreshold) || (r === 'success' && this.run < successThreshold)) return;
    const changed = r !== this.result;
    this.result = r;
    if ((this.o.type !== 'Readiness' && r === 'failure') || (this.o.type === 'Startup' && r === 'success')) this.stop();
    if (changed) this.o.changed(r);
  }
}
