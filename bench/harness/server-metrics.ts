// Reads the apiserver's /metrics (Prometheus text) so a benchmark can report group-commit batching and request
// latency from the server's own counters instead of tracing them from outside.

/** Every sample by its name and label text as printed: `podling_storage_writes_total`, `name{a="b",...}`. */
export async function readMetrics(url: string): Promise<Record<string, number>> {
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}: ${text.slice(0, 200)}`);
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

export interface LatencySli {
  /** Mutating calls answered between the two readings. */
  count: number;
  /** Share of them answered within 100 ms. */
  within100ms: number;
  /** p99 of all of them, and of the slowest (verb, resource) pair, interpolated in the histogram's buckets. */
  p99Ms: number;
  worst: { pair: string; p99Ms: number; count: number };
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY']);

/**
 * The Kubernetes API call latency SLI for mutating calls on single objects (scope "resource"), from the
 * `apiserver_request_duration_seconds` histogram between two readings: kube's definition is the 99th percentile of
 * that histogram per (resource, verb) pair (sig-scalability/slos/api_call_latency.md), read with Prometheus'
 * histogram_quantile, which interpolates linearly within a bucket.
 */
export function mutatingLatencySli(before: Record<string, number>, after: Record<string, number>): LatencySli {
  const pairs = new Map<string, Map<number, number>>();
  for (const [key, v] of Object.entries(after)) {
    const m = /^apiserver_request_duration_seconds_bucket\{(.*)\}$/.exec(key);
    if (!m) continue;
    const l = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (!MUTATING.has(l.verb) || l.scope !== 'resource') continue;
    const pair = `${l.verb} ${l.resource}${l.subresource ? `/${l.subresource}` : ''}`;
    const le = l.le === '+Inf' ? Infinity : Number(l.le);
    const buckets = pairs.get(pair) ?? new Map<number, number>();
    buckets.set(le, (buckets.get(le) ?? 0) + v - (before[key] ?? 0));
    pairs.set(pair, buckets);
  }
  const all = new Map<number, number>();
  let worst = { pair: '', p99Ms: 0, count: 0 };
  for (const [pair, buckets] of pairs) {
    for (const [le, n] of buckets) all.set(le, (all.get(le) ?? 0) + n);
    const count = buckets.get(Infinity) ?? 0;
    const p99Ms = quantile(0.99, buckets) * 1000;
    if (count > 0 && p99Ms >= worst.p99Ms) worst = { pair, p99Ms, count };
  }
  const count = all.get(Infinity) ?? 0;
  return { count, within100ms: count ? (all.get(0.1) ?? 0) / count : 1, p99Ms: quantile(0.99, all) * 1000, worst };
}

/** Prometheus' histogram_quantile over cumulative buckets (upper bound → count); the +Inf bucket gives the total. */
function quantile(q: number, buckets: Map<number, number>): number {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = buckets.get(Infinity) ?? 0;
  if (total === 0) return 0;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, n] of sorted) {
    if (n >= rank) return le === Infinity ? lower : lower + (le - lower) * ((rank - below) / Math.max(1, n - below));
    lower = le;
    below = n;
  }
  return lower;
}
