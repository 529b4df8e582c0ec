// Leader election over a coordination.k8s.io/v1 Lease, as client-go's tools/leaderelection does it, so only one
// control plane at a time runs the controllers. Contract:
//   - a candidate tries every retryPeriod (jittered ×1.2) to create the Lease or take it over; it may take it when
//     the holder is empty or when the record it last observed has not changed for leaseDuration — judged by this
//     process's own clock since it *saw* the change, never by the holder's timestamps (clock skew);
//   - the leader renews every retryPeriod; if no renewal succeeds for renewDeadline it stops leading (before the
//     lease can expire for others: renewDeadline < leaseDuration);
//   - every write carries the resourceVersion it read, so two candidates cannot both win one round;
//   - a round that gets no answer counts as failed after renewDeadline (an apiserver that hangs cannot keep a
//     leader leading, nor a stopping candidate waiting);
//   - onStartedLeading gets an AbortSignal that aborts when leadership ends; onStoppedLeading runs after that;
//   - stop() releases a held lease (empty holder, duration 1 s: client-go's ReleaseOnCancel) so a successor need
//     not wait out the lease. A lost leader goes back to being a candidate.
// Defaults are kube-controller-manager's: 15 s lease, 10 s renew deadline, 2 s retry.
import { isStatusError, microTime, type KubeObject } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
import type { Logger } from 'pino';

export interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

export interface LeaderElectionOptions {
  client: KubeClientApi;
  logger: Logger;
  identity: string;
  namespace?: string;
  name?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading(signal: AbortSignal): void;
  onStoppedLeading(): void | Promise<void>;
  now?: () => number;
}

export class LeaderElector {
  private readonly ref: { resource: string; namespace: string };
  private readonly name: string;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly now: () => number;
  private observed: { spec: string; at: number } | undefined;
  private lease: Lease | undefined;
  private leading: AbortController | undefined;
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: LeaderElectionOptions) {
    this.ref = { resource: 'leases', namespace: opts.namespace ?? 'kube-system' };
    this.name = opts.name ?? 'kube-controller-manager';
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
    this.now = opts.now ?? Date.now;
  }

  get isLeader(): boolean { return this.leading !== undefined; }

  start(): void { this.loop ??= this.run(); }

  async stop(): Promise<void> {
    this.stopSignal.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopSignal.signal.aborted) {
      if (await this.within(this.renewDeadlineMs, this.tryAcquireOrRenew())) {
        this.opts.logger.info({ lease: `${this.ref.namespace}/${this.name}`, identity: this.opts.identity }, 'acquired leadership');
        this.leading = new AbortController();
        this.opts.onStartedLeading(this.leading.signal);
        await this.renewUntilLost();
        this.leading.abort();
        this.leading = undefined;
        await this.opts.onStoppedLeading();
        if (this.stopSignal.signal.aborted) { await this.release(); return; }
        this.opts.logger.warn({ lease: `${this.ref.namespace}/${this.name}` }, 'lost leadership; stopped all controllers');
        continue;
      }
      await this.sleep(this.retryMs * (1 + Math.random() * 0.2));
    }
  }

  /** Renews every retry period; returns when stopped or when no renewal succeeded for renewDeadline. */
  private async renewUntilLost(): Promise<void> {
    let lastRenew = this.now();
    while (!this.stopSignal.signal.aborted) {
      await this.sleep(this.retryMs);
      if (this.stopSignal.signal.aborted) return;
      // Like client-go's renew context: a request that hangs (an apiserver that stopped answering) counts as failed
      // once the deadline passes, so the leader still steps down before its lease can expire for the others.
      if (await this.within(lastRenew + this.renewDeadlineMs - this.now(), this.tryAcquireOrRenew())) lastRenew = this.now();
      else if (this.now() - lastRenew >= this.renewDeadlineMs || (this.lease?.spec?.holderIdentity ?? this.opts.identity) !== this.opts.identity) return;
    }
  }

  /** One round: true when we hold the lease afterwards. Never throws; errors count as a failed round. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const mine = { holderIdentity: this.opts.identity, leaseDurationSeconds: Math.ceil(this.leaseMs / 1000), renewTime: microTime(now) };
    try {
      let cur: Lease;
      try {
        cur = await this.opts.client.get<Lease>(this.ref, this.name);
      } catch (err) {
        if (!isStatusError(err) || err.code !== 404) throw err;
        this.lease = await this.opts.client.create<Lease>(this.ref, {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.ref.namespace },
          spec: { ...mine, acquireTime: microTime(now), leaseTransitions: 0 },
        });
        this.observe(this.lease, now);
        return true;
      }
      this.lease = cur;
      this.observe(cur, now);
      const holder = cur.spec?.holderIdentity ?? '';
      const heldByOther = holder !== '' && holder !== this.opts.identity;
      const expiryMs = (cur.spec?.leaseDurationSeconds ?? 0) * 1000;
      if (heldByOther && now < this.observed!.at + expiryMs) return false;
      const spec = holder === this.opts.identity
        ? { ...cur.spec, ...mine }
        : { ...mine, acquireTime: microTime(now), leaseTransitions: (cur.spec?.leaseTransitions ?? 0) + 1 };
      this.lease = await this.opts.client.update<Lease>(this.ref, { ...cur, spec });
      this.observe(this.lease, now);
      return true;
    } catch (err) {
      this.opts.logger.debug({ err }, 'leader election round failed');
      return false;
    }
  }

  private observe(lease: Lease, now: number): void {
    const spec = JSON.stringify(lease.spec ?? {});
    if (this.observed?.spec !== spec) this.observed = { spec, at: now };
  }

  /** client-go's ReleaseOnCancel: hand the lease over at once instead of letting it expire. */
  private async release(): Promise<void> {
    if (!this.lease || this.lease.spec?.holderIdentity !== this.opts.identity) return;
    const now = microTime(this.now());
    // A renewal abandoned by stop() may still land after it and move the Lease on: a conflict re-reads it once.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.opts.client.update<Lease>(this.ref, { ...this.lease, spec: { ...this.lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } });
        return;
      } catch (err) {
        if (attempt === 0 && isStatusError(err) && err.code === 409) {
          try { this.lease = await this.opts.client.get<Lease>(this.ref, this.name); } catch { /* reported below */ }
          if (this.lease.spec?.holderIdentity === this.opts.identity) continue;
          return;
        }
        this.opts.logger.warn({ err }, 'could not release the leader lease');
        return;
      }
    }
  }

  /** `round`, or false when it has not settled within `ms` or stop() came first. */
  private within(ms: number, round: Promise<boolean>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    let onStop: (() => void) | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, ms));
      onStop = () => resolve(false);
      this.stopSignal.signal.addEventListener('abort', onStop);
    });
    return Promise.race([round, late]).finally(() => { clearTimeout(timer); this.stopSignal.signal.removeEventListener('abort', onStop!); });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() { clearTimeout(t); resolve(); }
      this.wake = done;
    });
  }
}
