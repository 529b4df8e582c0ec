// Starts the real apiserver for a benchmark: quiet logs (`--log-level warn`, so no per-request log line costs CPU),
// no controllers, a temp database that is deleted on stop. testkit's startApiserver waits for the info-level
// "listening" line, which warn level suppresses, so this picks a free port itself and polls /readyz instead.
import path from 'node:path';
import { freePort, makeTempDir, startTs, type ManagedProcess } from '@podling/testkit';

export interface BenchApiserver {
  url: string;
  pid: number;
  process: ManagedProcess;
  dbPath: string;
  /** SIGTERM (SIGKILL after 10 s), then deletes the temp dir. */
  stop(): Promise<void>;
}

export interface BenchApiserverOptions {
  /** Extra flags; `--controllers none --log-level warn` come first, so these may override them. */
  args?: string[];
  /** Node flags such as `--cpu-prof`. */
  nodeArgs?: string[];
  cwd?: string;
}

export async function startBenchApiserver(opts: BenchApiserverOptions = {}): Promise<BenchApiserver> {
  const tmp = makeTempDir('podling-bench-');
  const dbPath = path.join(tmp.dir, 'state.db');
  const port = await freePort();
  const proc = startTs('apps/apiserver/src/main.ts', {
    args: ['--port', String(port), '--db', dbPath, '--controllers', 'none', '--log-level', 'warn', ...(opts.args ?? [])],
    // The env twin would win over --log-level in main.ts; make sure an inherited one does not.
    env: { PODLING_LOG_LEVEL: 'warn' },
    nodeArgs: opts.nodeArgs,
    cwd: opts.cwd,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, proc, 30_000);
  } catch (err) {
    await proc.stop(2000);
    tmp.remove();
    throw err;
  }
  return {
    url, pid: proc.pid, process: proc, dbPath,
    async stop() { await proc.stop(10_000); tmp.remove(); },
  };
}

/** Polls `url`/readyz until it answers 200, racing the process's exit and a deadline. */
export async function waitReady(url: string, proc: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${url} exited before it was ready:\n${proc.output().slice(-4000)}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      await res.arrayBuffer();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) { last = (e as Error).message; }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms (${last}):\n${proc.output().slice(-4000)}`);
}
