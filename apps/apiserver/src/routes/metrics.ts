// GET /metrics: counters in the Prometheus text format, as kube-apiserver serves them (and, like there, only to
// privileged users: a non-resource path outside the open ones). What they answer: how many requests of each kind were
// answered and how fast (kube's own request metrics), how well group commit batches (writes per commit), whether
// commits fail, how many watches are open, and what the request limits hold and refuse.
import type { FastifyInstance } from 'fastify';
import type { StorageStats } from '@podling/store';
import type { RequestLimitStats } from '../http/request-limits.ts';
import type { RequestMetrics } from '../http/request-metrics.ts';

export interface MetricSources {
  /** Absent when the storage keeps no statistics. */
  storage?: () => StorageStats;
  watches: () => number;
  limits?: () => RequestLimitStats;
  requests?: RequestMetrics;
}

interface Metric { name: string; type: 'counter' | 'gauge'; help: string; value: number }

export function registerMetrics(app: FastifyInstance, sources: MetricSources): void {
  app.get('/metrics', (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8').send((sources.requests?.render() ?? '') + render(collect(sources)));
  });
}

function collect(sources: MetricSources): Metric[] {
  const m: Metric[] = [
    { name: 'podling_watches', type: 'gauge', help: 'Watches currently open (HTTP and websocket).', value: sources.watches() },
  ];
  const s = sources.storage?.();
  if (s) {
    m.push(
      { name: 'podling_storage_commits_total', type: 'counter', help: 'Transactions committed (each holds a group of writes).', value: s.commits },
      { name: 'podling_storage_writes_total', type: 'counter', help: 'Changes committed.', value: s.writes },
      { name: 'podling_storage_failed_commits_total', type: 'counter', help: 'Transactions that failed; each rejected its whole group.', value: s.failedCommits },
      { name: 'podling_storage_max_batch_writes', type: 'gauge', help: 'Most changes committed in one transaction since start.', value: s.maxBatch },
    );
  }
  const l = sources.limits?.();
  if (l) {
    m.push(
      { name: 'podling_inflight_readonly_requests', type: 'gauge', help: 'Counted reads in flight (masters and long-running requests are not counted).', value: l.readonlyInflight },
      { name: 'podling_inflight_mutating_requests', type: 'gauge', help: 'Counted writes in flight.', value: l.mutatingInflight },
      { name: 'podling_inflight_rejected_total', type: 'counter', help: 'Requests refused with 429 by --max-requests-inflight / --max-mutating-requests-inflight.', value: l.inflightRefused },
      { name: 'podling_request_body_bytes_inflight', type: 'gauge', help: 'Request-body bytes reserved by requests being received or handled.', value: l.bodyBytesInflight },
      { name: 'podling_request_body_rejected_total', type: 'counter', help: 'Requests refused with 429 by --max-request-bytes-inflight.', value: l.bodiesRefused },
    );
  }
  return m;
}

function render(metrics: Metric[]): string {
  return metrics.map((x) => `# HELP ${x.name} ${x.help}\n# TYPE ${x.name} ${x.type}\n${x.name} ${x.value}\n`).join('');
}

