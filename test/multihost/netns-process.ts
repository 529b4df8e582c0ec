// Podling processes inside a lab namespace: `ip netns exec <ns> node --import tsx <entry> …`. `ip netns exec`
// execs node itself, so the pid is node's and signals reach it directly. Output is kept for failure reports; JSON
// log lines can be awaited, as with testkit's startTs (which has no way to run under a namespace).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '@podling/testkit';

export interface NetnsProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** The first JSON log line, past or future, for which `match` is true; rejects on exit or after `timeoutMs`. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal. */
  stop(graceMs?: number): Promise<number | string | null>;
  readonly exited: Promise<void>;
  alive(): boolean;
}

export function startInNetns(name: string, ns: string, entry: string, args: string[], env: Record<string, string> = {}): NetnsProcess {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', path.join(repoRoot, entry), ...args], {
    cwd: repoRoot, env: { ...process.env, PODLING_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let partial = '';
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<(l: Record<string, unknown>) => void>();
  const onData = (buf: Buffer) => {
    const s = buf.toString();
    out = (out + s).slice(-1_000_000);
    partial += s;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (lines.length < 5000) lines.push(parsed);
        for (const w of waiters) w(parsed);
      } catch { /* not a log line */ }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name, child, pid: child.pid!, exited, alive,
    output: () => out,
    waitForLog(match, timeoutMs = 30_000) {
      const hit = lines.find(match);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const done = (err?: Error, line?: Record<string, unknown>) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err); else resolve(line!);
        };
        const check = (l: Record<string, unknown>) => { if (match(l)) done(undefined, l); };
        const timer = setTimeout(() => done(new Error(`${name}: no matching log line within ${timeoutMs} ms; output:\n${out.slice(-4000)}`)), timeoutMs);
        waiters.add(check);
        void exited.then(() => done(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before the expected log line; output:\n${out.slice(-4000)}`)));
      });
    },
    async stop(graceMs = 10_000) {
      if (alive()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return child.exitCode ?? child.signalCode;
    },
  };
}
