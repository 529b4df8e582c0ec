// Start real Podling processes for tests: wait for readiness while racing process exit and a deadline; stop with
// SIGTERM, then SIGKILL after a bound. A child's output is kept and printed only when something fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { bundledEntry } from './entry-bundle.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything the process printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolves with the first JSON log line for which `match` returns true. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves with the exit code (or signal name). */
  stop(graceMs?: number): Promise<number | string | null>;
  kill(signal: NodeJS.Signals): void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Extra node flags, e.g. ['--cpu-prof']. */
  nodeArgs?: string[];
  /** A command that execs node, e.g. ['ip', 'netns', 'exec', 'ns1'] to run inside a network namespace. */
  launcher?: string[];
}

/** A test apiserver's cluster DNS listens on a free loopback port: tests run side by side, and never serve :53 on
 *  the machine's addresses (a test that needs pods to reach it sets the bind address itself). */
const TEST_DEFAULTS: Record<string, string> = { PODLING_CLUSTER_DNS_PORT: '0', PODLING_CLUSTER_DNS_BIND_ADDRESS: '127.0.0.1' };

/** Runs a TypeScript entry point of the repo (relative to the repo root), from its bundle (entry-bundle.ts). */
export function startTs(entry: string, opts: StartOptions): ManagedProcess {
  const bundle = bundledEntry(repoRoot, entry);
  const nodeArgv = [...(opts.nodeArgs ?? []), ...(bundle ? [bundle] : ['--import', 'tsx', path.join(repoRoot, entry)]), ...opts.args];
  return startCommand([...(opts.launcher ?? []), process.execPath, ...nodeArgv], opts);
}

/** Runs any command (e.g. etcd inside a network namespace) with the same output capture, log matching (JSON lines
 *  on stdout or stderr) and stop as startTs. */
export function startCommand(command: string[], opts: Pick<StartOptions, 'env' | 'cwd'> = {}): ManagedProcess {
  const [file, ...argv] = command;
  const child = spawn(file, argv, {
    cwd: opts.cwd ?? repoRoot,
    env: { ...TEST_DEFAULTS, ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false,
  });
  let out = '';
  const lineWaiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  const seen: Record<string, unknown>[] = [];
  let partial = '';
  const onData = (buf: Buffer) => {
    const s = buf.toString();
    out += s;
    if (out.length > 4_000_000) out = out.slice(-2_000_000);
    partial += s;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      let parsed: Record<string, unknown>;
      try { parsed = JSON.parse(line); } catch { continue; }
      if (seen.length < 1000) seen.push(parsed);
      for (let i = lineWaiters.length - 1; i >= 0; i--) {
        if (lineWaiters[i].match(parsed)) { lineWaiters[i].resolve(parsed); lineWaiters.splice(i, 1); }
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const mp: ManagedProcess = {
    child,
    pid: child.pid!,
    output: () => out,
    exited,
    waitForLog(match, timeoutMs = 15_000) {
      const hit = seen.find(match);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; output:\n${out.slice(-4000)}`)), timeoutMs);
        const waiter = { match, resolve: (l: Record<string, unknown>) => { clearTimeout(timer); resolve(l); } };
        lineWaiters.push(waiter);
        exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`process exited (${code ?? signal}) before the expected log line; output:\n${out.slice(-4000)}`));
        });
      });
    },
    kill(signal) { if (child.exitCode === null && child.signalCode === null) child.kill(signal); },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const { code, signal } = await exited;
      clearTimeout(timer);
      return code ?? signal;
    },
  };
  return mp;
}

export async function waitExit(p: ManagedProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  await once(p.child, 'exit');
}
