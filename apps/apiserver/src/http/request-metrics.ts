// kube-apiserver's request metrics: `apiserver_request_total` and the `apiserver_request_duration_seconds`
// histogram, with its labels and buckets (k8s.io/apiserver pkg/endpoints/metrics/metrics.go). The duration is the
// server's part of a call, from routing to the last byte written (fastify's reply.elapsedTime); the Kubernetes
// API call latency SLI is read from this histogram
// (https://github.com/kubernetes/community/blob/master/sig-scalability/slos/api_call_latency.md).
//
// Labels come only from what the server serves (a known resource and subresource, or a matched route), so a client
// inventing paths cannot grow the label sets without bound.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestInfo as infoOf, type RequestInfo } from '../auth/index.ts';
import { servesSubresource } from '../registry/resource.ts';
import { resourceAt } from '../registry/resources.ts';

/** kube-apiserver's requestLatencies buckets, in seconds. */
export const REQUEST_DURATION_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);
const REPORTED_VERBS: Record<string, string> = {
  get: 'GET', list: 'LIST', watch: 'WATCH', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETE', proxy: 'CONNECT',
};

interface Series { labels: string; counts: number[]; sum: number; count: number }

export class RequestMetrics {
  private readonly durations = new Map<string, Series>();
  private readonly totals = new Map<string, number>();

  /** Records one answered request; `labels` is the rendered label set without `code`. */
  observe(labels: string, code: number, seconds: number): void {
    let s = this.durations.get(labels);
    if (!s) this.durations.set(labels, (s = { labels, counts: new Array(REQUEST_DURATION_BUCKETS.length).fill(0), sum: 0, count: 0 }));
    // Cumulative counts are made when rendering; here one bucket, the first bound at or above the value, is counted.
    const i = REQUEST_DURATION_BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) s.counts[i]++;
    s.sum += seconds;
    s.count++;
    const total = `${labels},code="${code}"`;
    this.totals.set(total, (this.totals.get(total) ?? 0) + 1);
  }

  /** The two families in the Prometheus text format. */
  render(): string {
    const out = [
      '# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      '# TYPE apiserver_request_total counter',
    ];
    for (const [labels, n] of this.totals) out.push(`apiserver_request_total{${labels}} ${n}`);
    out.push(
      '# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      '# TYPE apiserver_request_duration_seconds histogram',
    );
    for (const s of this.durations.values()) {
      let cumulative = 0;
      REQUEST_DURATION_BUCKETS.forEach((b, i) => {
        cumulative += s.counts[i];
        out.push(`apiserver_request_duration_seconds_bucket{${s.labels},le="${b}"} ${cumulative}`);
      });
      out.push(`apiserver_request_duration_seconds_bucket{${s.labels},le="+Inf"} ${s.count}`);
      out.push(`apiserver_request_duration_seconds_sum{${s.labels}} ${s.sum}`);
      out.push(`apiserver_request_duration_seconds_count{${s.labels}} ${s.count}`);
    }
    return out.join('\n') + '\n';
  }
}

/** Counts every answered request. Register it before the routes; it reads the RequestInfo authentication made. */
export function registerRequestMetrics(app: FastifyInstance): RequestMetrics {
  const metrics = new RequestMetrics();
  app.addHook('onResponse', (req, reply, done) => {
    const labels = labelsOf(req, reply);
    if (labels !== undefined) metrics.observe(labels, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  return metrics;
}

function labelsOf(req: FastifyRequest, reply: FastifyReply): string | undefined {
  const info: RequestInfo = req.requestInfo ?? infoOf(req.method, req.url);
  const dryRun = (req.query as Record<string, unknown> | undefined)?.dryRun === 'All' ? 'All' : '';
  if (!info.isResourceRequest) {
    // A non-resource path is labelled by the route that served it (kube: the path of a registered handler).
    const route = reply.statusCode === 404 ? undefined : req.routeOptions.url;
    if (route === undefined) return undefined;
    return render(req.method.toUpperCase(), dryRun, '', '', '', route, '');
  }
  const apiVersion = info.apiGroup ? `${info.apiGroup}/${info.apiVersion}` : info.apiVersion;
  const r = resourceAt(apiVersion, info.resource);
  if (!r || (info.subresource !== '' && !servesSubresource(r, info.subresource))) return undefined;
  let verb = REPORTED_VERBS[info.verb] ?? req.method.toUpperCase();
  if (CONNECT_SUBRESOURCES.has(info.subresource)) verb = 'CONNECT';
  else if (verb === 'PATCH' && String(req.headers['content-type'] ?? '').startsWith('application/apply-patch')) verb = 'APPLY';
  return render(verb, dryRun, info.apiGroup, info.apiVersion, info.resource, info.subresource, scopeOf(info));
}

/** kube's CleanScope: a create names one object too, so it is a "resource" call like a get or an update. */
function scopeOf(info: RequestInfo): string {
  if (info.name !== '' || info.verb === 'create') return 'resource';
  if (info.namespace !== '') return 'namespace';
  return 'cluster';
}

function render(verb: string, dryRun: string, group: string, version: string, resource: string, subresource: string, scope: string): string {
  return `verb="${verb}",dry_run="${dryRun}",group="${group}",version="${version}",resource="${resource}",subresource="${escape(subresource)}",scope="${scope}",component="apiserver"`;
}

/** Prometheus label values escape backslash, quote and newline. */
function escape(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}
