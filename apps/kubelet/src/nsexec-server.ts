// The agent's side of `podling-nsexec --serve` (native/nsexec-serve.c): one long-lived helper, started on the first
// request (and again after it died), that runs podling-nsexec steps — a pod sandbox's setup or teardown — each in a
// fork of itself. Running them as one-shot execs through the spawner cost a fork of that Node process per pod, most
// of the sandbox's CPU when a burst of pods saturates the node (bench/pod-startup).
//
// The helper is a child of the agent on pipes: when the agent ends, even by SIGKILL, its stdin ends and it exits
// once the requests it had read are done; a stopping agent ends it with SIGTERM. Like the spawner, it keeps the
// agent's event loop alive only while a request is unanswered.
import { spawn, type ChildProcess } from 'node:child_process';
import { NSEXEC } from './nsexec.ts';
import { endChild, onLines, refChild } from './piped-child.ts';

/** How long close() waits for the helper to exit on SIGTERM before it is killed. */
const CLOSE_WAIT_MS = 2000;

interface Pending { resolve: (data: string) => void; reject: (e: Error) => void }

/** The server's template mount namespace (nsexec-serve.c): joined with `--setns-mnt path inode`. */
export interface MountTemplate { path: string; inode: string }

export class NsexecServer {
  private proc: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
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

  private request(steps: string[]): Promise<string> {
    if (this.closed) return Promise.reject(new Error('the namespace helper is closed'));
    const bad = steps.find((s) => /[\t\n]/.test(s));
    if (bad !== undefined) return Promise.reject(new Error(`a namespace step argument cannot contain a tab or newline: ${JSON.stringify(bad)}`));
    const proc = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
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
      this.pending.clear();
      const why = `the namespace helper ${this.file} exited (${code ?? signal})${stderr.trim() ? `: ${stderr.trim()}` : ''} before answering`;
      for (const p of unanswered) p.reject(new Error(why));
    });
    this.setRef(this.pending.size > 0);
    return proc;
  }

  private onAnswer(line: string): void {
    const m = /^(\d+) ([01])(?: (.*))?$/.exec(line);
    const p = m && this.pending.get(Number(m[1]));
    if (!m || !p) return;
    this.pending.delete(Number(m[1]));
    if (this.pending.size === 0) this.setRef(false);
    if (m[2] === '0') p.resolve(m[3] ?? ''); else p.reject(new Error(`podling-nsexec: ${m[3] ?? 'failed'}`));
  }

  private setRef(on: boolean): void {
    if (this.proc) refChild(this.proc, on);
  }
}
