// Drives the real `kubectl` binary against a test control plane: an isolated HOME (so the discovery cache and
// gcloud dispatcher state are per test run) with a kubeconfig pointing at the apiserver. Not a test file itself.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, startApiserver, startKubelet, waitFor, type RunningApiserver, type RunningKubelet } from '@podling/testkit';

export interface KubectlResult { code: number | null; stdout: string; stderr: string }

export interface KubectlStream {
  /** Complete stdout lines so far. */
  readonly lines: string[];
  readonly stderr: () => string;
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface Kubectl {
  readonly home: string;
  readonly kubeconfig: string;
  run(args: string[], opts?: { stdin?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Runs and requires exit code 0; returns stdout. */
  ok(args: string[], opts?: { stdin?: string; timeoutMs?: number }): Promise<string>;
  /** Runs and requires a non-zero exit code; returns the result. */
  fails(args: string[], opts?: { stdin?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Starts a long-running kubectl (get -w, logs -f) and collects its stdout lines. */
  stream(args: string[]): KubectlStream;
  /** Writes a manifest into the temp dir and returns its path. */
  file(name: string, content: string): string;
}

/** Fails loudly when kubectl is missing: CI installs it, and a silently skipped suite proves nothing. */
export function requireKubectl(): void {
  const home = makeTempDir('podling-kubectl-probe-');
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'pipe', env: { ...process.env, HOME: home.dir } });
  } catch (e) {
    throw new Error(`kubectl is required for this suite but could not be run from PATH (${(e as Error).message}). ` +
      'Install kubectl 1.29+ (CI does) or put it on PATH.');
  } finally {
    home.remove();
  }
}

export function makeKubectl(serverUrl: string, home: string): Kubectl {
  const kubeconfig = path.join(home, '.kube', 'config');
  mkdirSync(path.dirname(kubeconfig), { recursive: true });
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: podling',
    'clusters:', '- name: podling', '  cluster:', `    server: ${serverUrl}`,
    'contexts:', '- name: podling', '  context:', '    cluster: podling', '    user: podling', '    namespace: default',
    'users:', '- name: podling', '  user: {}', '',
  ].join('\n'));
  const env = { ...process.env, HOME: home, KUBECONFIG: kubeconfig };
  const start = (args: string[]): ChildProcess => spawn('kubectl', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });

  const run: Kubectl['run'] = (args, opts = {}) => new Promise((resolve, reject) => {
    const child = start(args);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b) => { stdout += b; });
    child.stderr!.on('data', (b) => { stderr += b; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubectl ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 30_000} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin!.end(opts.stdin ?? '');
  });

  return {
    home, kubeconfig, run,
    async ok(args, opts) {
      const r = await run(args, opts);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
      return r.stdout;
    },
    async fails(args, opts) {
      const r = await run(args, opts);
      if (r.code === 0) throw new Error(`kubectl ${args.join(' ')} unexpectedly succeeded\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
      return r;
    },
    stream(args) {
      const child = start(args);
      child.stdin!.end();
      const lines: string[] = [];
      let partial = '';
      let stderr = '';
      child.stdout!.on('data', (b) => {
        partial += b;
        const parts = partial.split('\n');
        partial = parts.pop()!;
        lines.push(...parts);
      });
      child.stderr!.on('data', (b) => { stderr += b; });
      const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
      return {
        lines,
        stderr: () => stderr,
        waitForLine: (match, timeoutMs = 15_000) => waitFor(() => lines.find(match), {
          timeoutMs, message: `kubectl ${args.join(' ')} never printed the expected line; lines so far:\n${lines.join('\n')}\nstderr:\n${stderr}`,
        }),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await closed;
        },
      };
    },
    file(name, content) {
      const p = path.join(home, name);
      writeFileSync(p, content);
      return p;
    },
  };
}

export interface KubectlCluster {
  apiserver: RunningApiserver;
  kubelet?: RunningKubelet;
  kubectl: Kubectl;
  stop(): Promise<void>;
}

/** An apiserver (and optionally one kubelet named `nodeName`) plus a kubectl wired to it. Stops in reverse order. */
export async function startKubectlCluster(opts: { kubelet?: boolean; nodeName?: string; apiserverArgs?: string[] } = {}): Promise<KubectlCluster> {
  requireKubectl();
  const tmp = makeTempDir('podling-kubectl-e2e-');
  const stops: (() => Promise<void>)[] = [async () => tmp.remove()];
  try {
    const apiserver = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db'), args: opts.apiserverArgs });
    stops.unshift(() => apiserver.stop());
    let kubelet: RunningKubelet | undefined;
    if (opts.kubelet) {
      const rootDir = path.join(tmp.dir, 'kubelet');
      mkdirSync(rootDir, { recursive: true });
      kubelet = await startKubelet({ server: apiserver.url, nodeName: opts.nodeName ?? 'node-1', rootDir });
      stops.unshift(() => kubelet!.stop());
    }
    const home = path.join(tmp.dir, 'home');
    mkdirSync(home, { recursive: true });
    const kubectl = makeKubectl(apiserver.url, home);
    return { apiserver, kubelet, kubectl, async stop() { for (const s of stops) await s(); } };
  } catch (e) {
    for (const s of stops) await s().catch(() => undefined);
    throw e;
  }
}

/**
 * Parses kubectl's column output into rows keyed by header. kubectl left-aligns every column at its header's
 * offset, so cells are cut at those offsets (cells with spaces, like "2 (5m ago)", and empty cells stay right).
 */
export function parseColumns(stdout: string): Record<string, string>[] {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const headers = [...lines[0].matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index! }));
  return lines.slice(1).map((l) => Object.fromEntries(headers.map((h, i) =>
    [h.name, l.slice(h.at, i + 1 < headers.length ? headers[i + 1].at : undefined).trim()])));
}
