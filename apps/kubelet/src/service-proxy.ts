// The node's service proxy (kube-proxy's nftables mode, run inside the agent): watches Services, EndpointSlices and
// v1 Endpoints, reduces them to service ports (proxy-service-ports.ts), renders the ruleset (proxy-ruleset.ts) and
// applies it to the agent's own table (proxy-table.ts) as one `nft -f` transaction.
//
// Level-triggered and coalesced: every change schedules one sync of everything; changes that arrive during a sync
// fold into a single follow-up, and syncs are at least MIN_SYNC_GAP_MS apart (kube-proxy's minSyncPeriod is 1 s;
// a shorter gap keeps an endpoint change within a second of reaching the rules). A sync whose ruleset is unchanged
// runs no `nft`; every RESYNC_MS one runs anyway (kube-proxy's syncPeriod), restoring what someone else removed. The
// first sync replaces the table whole (a killed agent's leftovers), later ones are incremental (proxy-transaction.ts).
// A failed sync is retried, and the next one after it replaces the table whole again. stop() removes the table.
import type { EndpointSlice, Endpoints, Service } from '@podling/api';
import { Informer, type KubeClientApi } from '@podling/client';
import type { Logger } from './logger.ts';
import { proxyServicePorts } from './proxy-service-ports.ts';
import { renderProxyRuleset, type ProxyNodeFacts, type ProxyRuleset } from './proxy-ruleset.ts';
import type { ProxyTable } from './proxy-table.ts';
import { loopbackNotrackScript } from './loopback-notrack.ts';
import { formatRuleset, fullScript, syncScript } from './proxy-transaction.ts';

const MIN_SYNC_GAP_MS = 50;
const RETRY_MS = 1000;
const RESYNC_MS = 30_000;

export interface ServiceProxyOptions {
  client: KubeClientApi;
  /** The agent's Services informer (it already watches them for the pods' environment variables), and its first list. */
  services: Informer<Service>;
  servicesSynced: Promise<void>;
  table: ProxyTable;
  /** Read at every sync: the pod range may arrive after the agent started. */
  facts: () => ProxyNodeFacts;
  log: Logger;
  /** Told after every sync attempt: undefined when the rules are in place, else why not. */
  onResult?: (problem: string | undefined) => void;
}

export class ServiceProxy {
  private readonly slices: Informer<EndpointSlice>;
  private readonly endpoints: Informer<Endpoints>;
  private applied: { ruleset: ProxyRuleset; text: string } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private forced = false;
  private started = false;
  private stopped = false;
  private lastSyncAt = 0;
  /** How many syncs wrote rules (tests and the benchmark wait on it). */
  syncs = 0;

  constructor(private readonly opts: ServiceProxyOptions) {
    const kick = () => this.kick();
    const handlers = { onAdd: kick, onUpdate: kick, onDelete: kick };
    this.slices = new Informer<EndpointSlice>(opts.client, { resource: 'endpointslices', logger: opts.log, ...handlers });
    this.endpoints = new Informer<Endpoints>(opts.client, { resource: 'endpoints', logger: opts.log, ...handlers });
    opts.services.on('add', kick).on('update', kick).on('delete', kick);
  }

  /** Resolves after the first sync that follows the lists of Services, EndpointSlices and Endpoints. */
  async start(): Promise<void> {
    await Promise.all([this.slices.start(), this.endpoints.start(), this.opts.servicesSynced]);
    if (this.stopped) return;
    this.started = true;
    this.resyncTimer = setInterval(() => { this.forced = true; this.kick(); }, RESYNC_MS);
    await this.runSync();
  }

  /** Stops watching and removes the table (a clean agent stop leaves no rule behind). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.resyncTimer);
    await Promise.all([this.slices.stop(), this.endpoints.stop()]);
    await this.running;
    await this.opts.table.remove();
  }

  /** Schedules a sync (the pod range became known, an object changed). */
  kick(): void {
    if (this.stopped || !this.started) return;
    this.dirty = true;
    if (this.running || this.timer) return;
    const wait = Math.max(0, this.lastSyncAt + MIN_SYNC_GAP_MS - performance.now());
    this.timer = setTimeout(() => { this.timer = undefined; void this.runSync(); }, wait);
  }

  private runSync(): Promise<void> {
    this.dirty = false;
    this.running = this.sync().finally(() => {
      this.running = undefined;
      if (this.dirty) this.kick();
    });
    return this.running;
  }

  private async sync(): Promise<void> {
    this.lastSyncAt = performance.now();
    const forced = this.forced;
    this.forced = false;
    const ports = proxyServicePorts(this.opts.services.list(), this.slices.list(), this.endpoints.list());
    const ruleset = renderProxyRuleset(this.opts.facts(), ports);
    const text = formatRuleset(ruleset);
    if (!forced && this.applied?.text === text) return;
    const { table } = this.opts;
    const script = this.applied ? syncScript(table.name, table.comment, this.applied.ruleset, ruleset) : fullScript(table.name, table.comment, ruleset);
    try {
      if (!this.applied) await table.apply(loopbackNotrackScript(table.name));
      await table.apply(script);
      if (!this.applied) this.opts.log.info({ table: table.name, servicePorts: ports.length }, 'service proxy rules in place');
      this.applied = { ruleset, text };
      this.syncs++;
      this.opts.log.debug({ servicePorts: ports.length, endpoints: ports.reduce((n, p) => n + p.endpoints.length, 0) }, 'service proxy synced');
      this.opts.onResult?.(undefined);
    } catch (err) {
      this.applied = undefined; // the table's state is unknown now: replace it whole next time
      this.opts.log.warn({ err, table: table.name }, 'service proxy sync failed; retrying');
      this.opts.onResult?.(`nft failed: ${(err as Error).message.split('\n')[0]}`);
      setTimeout(() => { this.forced = true; this.kick(); }, RETRY_MS).unref();
    }
  }
}
