// The agent's side of `podling-nsexec --serve` (native/nsexec-serve.c): one long-lived helper, started on the first
// request (and again after it died), that runs podling-nsexec steps — a pod sandbox's setup or teardown — each in a
// fork of itself. Running them as one-shot execs through the spawner cost a fork of that Node process per pod, most
// of the sandbox's CPU when a burst of pods saturates the node (bench/pod-startup).
//
// It also starts the containers' wrappers (spawn): a fork of this small process that runs the container's namespace
// steps and execs the wrapper, where the spawner's way was a fork of a Node process and an exec of podling-nsexec.
// A spawn is answered once the fork has exec'd the wrapper, so the pid the agent reports Running with is already in
// the container's namespaces: an exec probe or `kubectl exec` that comes at once never runs in the host's.
//
// The helper is a child of the agent on pipes: when the agent ends, even by SIGKILL, its stdin ends and it exits
// once the requests it had read are done; a stopping agent ends it with SIGTERM. Like the spawner, it keeps the
// agent's event loop alive only while a request is unanswered. Wrappers it started outlive it: when it ends, they are
// reported lost (the runtime then follows them by polling /proc), as the spawner's children are.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { SpawnerGoneError, type ChildHandlers, type Spawned } from './spawner-client.ts';
import { NSEXEC } from './nsexec.ts';
import { endChild, onLines, refChild } from './piped-child.ts';

/** How long close() waits for the helper to exit on SIGTERM before it is killed. */
const CLOSE_WAIT_MS = 2000;

/** What one --spawn request may carry (the helper's line and argument limits, with room to spare). */
const MAX_SPAWN_BYTES = 1_000_000;
const MAX_SPAWN_FIELDS = 8000;
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

interface Pending { resolve: (data: string) => void; reject: (e: Error) => void; handlers?: ChildHandlers }

/** The server's template mount namespace (nsexec-serve.c): joined with `--setns-mnt path inode`. */
export interface MountTemplate { path: string; inode: string }

export class NsexecServer {
  private proc: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly running = new Map<number, { child: Spawned; handlers: ChildHandlers }>();
  private nextId = 1;
  private closed = false;
  /** The current helper's template, asked for once per helper process. */
  private template: Promise<MountTemplate | undefined> | undefined;

  constructor(private readonly file = NSEXEC) {}

  /** Runs podling-nsexec `steps` (no command); rejects with the failing step's reason. */
  async run(steps: string[]): Promise<void> {
    await this.request(steps);
  }

  /**
   * The pin-free template mount namespace containers make theirs from (`pinDir`, the netns pin directory, and every
   * namespace pin detached); undefined when the helper cannot make one (containers then copy the host's).
   */
  mountTemplate(pinDir: string): Promise<MountTemplate | undefined> {
    this.template ??= this.request(['--mnt-template', pinDir]).then((data) => {
      const [p, inode] = data.split(' ');
      return p && inode ? { path: p, inode } : undefined;
    }, () => undefined);
    return this.template;
  }

  /**
   * Starts `argv` (a container's wrapper) in a session of its own after podling-nsexec `steps` (a failing step's
   * reason reaches it as PODLING_SETUP_ERROR), with exactly `env`; undefined when the request is too large for the
   * helper (then the spawner starts it). Rejects with SpawnerGoneError when the helper ended before answering.
   */
  spawn(env: Record<string, string>, steps: string[], argv: string[], handlers: ChildHandlers): Promise<Spawned> | undefined {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const fields = ['--spawn', String(vars.length), ...vars, ...steps, '--', ...argv].map(escapeField);
    if (fields.length > MAX_SPAWN_FIELDS || Buffer.byteLength(fields.join('\t')) > MAX_SPAWN_BYTES) return undefined;
    return this.request(fields, handlers).then((data) => {
      const [pid, procStart] = data.split(' ').map(Number);
      return { pid, procStart };
    });
  }

  private request(steps: string[], handlers?: ChildHandlers): Promise<string> {
    if (this.closed) return Promise.reject(new Error('the namespace helper is closed'));
    const bad = steps.find((s) => /[\t\n]/.test(s));
    if (bad !== undefined) return Promise.reject(new Error(`a namespace step argument cannot contain a tab or newline: ${JSON.stringify(bad)}`));
    const proc = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, handlers });
      if (this.pending.size === 1) this.setRef(true);
      proc.stdin!.write(`${[id, ...steps].join('\t')}\n`);
    });
  }

  /**
   * Ends the helper at once (agent shutdown): requests not yet started are dropped and rejected, and steps already
   * running finish in their own processes. What that leaves half made is what a crash leaves, and the next agent's
   * teardown repairs it; waiting for a queue of teardowns (a pod burst being deleted) would hold the shutdown up.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.running.clear();
    await endChild(this.proc, 'SIGTERM', CLOSE_WAIT_MS);
  }

  private ensure(): ChildProcess {
    if (this.proc) return this.proc;
    const proc = spawn(this.file, ['--serve'], { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
    this.proc = proc;
    let stderr = '';
    onLines(proc.stdout!, (line) => this.onAnswer(line));
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-2000); });
    proc.stdin!.on('error', () => {}); // EPIPE when it died; reported by 'close'
    proc.on('error', () => {}); // a failed spawn: reported by 'close' too
    proc.once('close', (code, signal) => {
      if (this.proc === proc) { this.proc = undefined; this.template = undefined; }
      const unanswered = [...this.pending.values()];
      const orphans = [...this.running.values()];
      this.pending.clear();
      this.running.clear();
      for (const r of orphans) r.handlers.lost(r.child);
      const why = `the namespace helper ${this.file} exited (${code ?? signal})${stderr.trim() ? `: ${stderr.trim()}` : ''} before answering`;
      for (const p of unanswered) p.reject(new SpawnerGoneError(why));
    });
    this.setRef(this.pending.size > 0);
    return proc;
  }

  private onAnswer(line: string): void {
    const x = /^x (\d+) ([es]) (\d+)$/.exec(line);
    if (x) {
      const r = this.running.get(Number(x[1]));
      this.running.delete(Number(x[1]));
      r?.handlers.exited(r.child, x[2] === 'e' ? Number(x[3]) : null, x[2] === 's' ? SIGNAL_NAMES.get(Number(x[3])) ?? 'SIGKILL' : null);
      return;
    }
    const m = /^(\d+) ([01])(?: (.*))?$/.exec(line);
    const p = m && this.pending.get(Number(m[1]));
    if (!m || !p) return;
    this.pending.delete(Number(m[1]));
    if (this.pending.size === 0) this.setRef(false);
    if (m[2] === '0' && p.handlers) {
      // Registered before the next line is read: the wrapper's end may be the very next line.
      const [pid, procStart] = (m[3] ?? '').split(' ').map(Number);
      this.running.set(pid, { child: { pid, procStart }, handlers: p.handlers });
    }
    if (m[2] === '0') p.resolve(m[3] ?? ''); else p.reject(new Error(`podling-nsexec: ${m[3] ?? 'failed'}`));
  }

  private setRef(on: boolean): void {
    if (this.proc) refChild(this.proc, on);
  }
}

/** The helper's --spawn fields carry any text: backslash, tab and newline escaped. */
function escapeField(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}
