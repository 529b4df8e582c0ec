// `podling-kubelet --hollow-nodes N`: N hollow nodes (hollow-node.ts) in one process, for measuring the control
// plane at scale the way Kubernetes does with kubemark and kwok. Node i is <node-name>-<i>; each has its own
// client identity (user agent, token), Node, Lease, pod informer and watch, as N agents would, while all share the
// process's HTTP connection pool. Nodes come up spread over one status period, so their heartbeats are spread as
// those of agents started at different times are, instead of arriving in one burst every period.
import type { KubeClientApi } from '@podling/client';
import type { KubeletConfig } from './config.ts';
import { HollowNode } from './hollow-node.ts';
import type { Logger } from './logger.ts';

/** What every hollow node advertises: a large node, so pods' requests rarely bind the scheduler. */
const HOLLOW_CPUS = 32;
const HOLLOW_MEMORY_BYTES = 128 * 2 ** 30;
/** The most nodes a hollow set names fake pod ranges for: 100.64.0.0/10 holds 2^14 ranges of /24. */
const MAX_RANGES = 2 ** 14;

export class HollowNodes {
  private readonly nodes: HollowNode[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly cfg: KubeletConfig, clientFor: (nodeName: string) => KubeClientApi, private readonly log: Logger) {
    for (let i = 0; i < cfg.hollowNodes; i++) {
      const nodeName = `${cfg.nodeName}-${i}`;
      const r = i % MAX_RANGES;
      this.nodes.push(new HollowNode({
        facts: {
          nodeName, nodeIP: cfg.nodeIP, port: cfg.port, labels: { ...cfg.nodeLabels, 'podling.io/hollow': 'true' }, maxPods: cfg.maxPods,
          cpus: HOLLOW_CPUS, memoryBytes: HOLLOW_MEMORY_BYTES, arch: 'amd64', kernelVersion: 'hollow', osImage: 'Podling hollow node',
        },
        podRange: `100.${64 + (r >> 8)}.${r & 255}`, behaviour: cfg.hollow, statusPeriods: { updateMs: cfg.nodeStatusUpdateFrequencyMs, reportMs: cfg.nodeStatusReportFrequencyMs },
        backoff: { baseMs: cfg.crashloopBackoffBaseMs, maxMs: cfg.crashloopBackoffMaxMs }, rootDir: `${cfg.rootDir}/${nodeName}`,
      }, clientFor(nodeName), log.child({ node: nodeName })));
    }
  }

  /** Pods the hollow nodes run now. */
  get podCount(): number { return this.nodes.reduce((n, h) => n + h.podCount, 0); }

  /** Starts every node, spread over one status period; resolves once each has its first pod list. */
  async start(): Promise<void> {
    const spreadMs = this.cfg.nodeStatusUpdateFrequencyMs / Math.max(1, this.nodes.length);
    await Promise.all(this.nodes.map((n, i) => new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => { this.timers.delete(t); if (this.stopped) resolve(); else n.start().then(resolve, reject); }, i * spreadMs);
      this.timers.add(t);
    })));
    // Always printed, whatever the level (as the agent's 'listening'): tools wait for this line.
    const announce = (this.log as { isLevelEnabled?: (l: string) => boolean }).isLevelEnabled?.('info') === false ? this.log.warn : this.log.info;
    announce.call(this.log, { nodes: this.nodes.length }, 'hollow nodes ready');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
