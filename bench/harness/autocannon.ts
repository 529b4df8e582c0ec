// Runs autocannon as its own process (the load generator must not share the benchmark runner's event loop) and
// returns the figures of its --json report. Latencies are whole milliseconds: that is autocannon's resolution.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AUTOCANNON_BIN = require.resolve('autocannon/autocannon.js');

export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds to run; ignored when `amount` is set. */
  durationS?: number;
  /** Stop after this many requests. */
  amount?: number;
  method?: 'GET' | 'POST';
  /** File whose content is sent as every request's body. */
  bodyFile?: string;
  headers?: Record<string, string>;
}

export interface LoadReport {
  /** All completed requests per second, whatever their status. */
  requestsPerSecond: number;
  /** 2xx responses per second. */
  okPerSecond: number;
  total: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function runAutocannon(o: LoadOptions): Promise<LoadReport> {
  const args = [AUTOCANNON_BIN, '--json', '-c', String(o.connections), '-m', o.method ?? 'GET'];
  if (o.amount !== undefined) args.push('-a', String(o.amount));
  else args.push('-d', String(o.durationS ?? 10));
  if (o.bodyFile) args.push('-i', o.bodyFile);
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}=${v}`);
  args.push(o.url);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => { out += b; });
  child.stderr.on('data', (b: Buffer) => { err += b; });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (code !== 0 || !line) throw new Error(`autocannon exited ${code}: ${err.slice(-2000)}`);
  const r = JSON.parse(line);
  return {
    requestsPerSecond: r.requests.total / r.duration,
    okPerSecond: r['2xx'] / r.duration,
    total: r.requests.total,
    ok2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    seconds: r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
  };
}
