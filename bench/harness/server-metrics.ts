// Reads the apiserver's /metrics (Prometheus text, no labels) so a benchmark can report group-commit batching
// from the server's own counters instead of tracing it from outside.
export async function readMetrics(url: string): Promise<Record<string, number>> {
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}: ${text.slice(0, 200)}`);
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*) (\S+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}
