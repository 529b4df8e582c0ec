// The agent's side of spawner.mjs: starts that process on first use (and again after it died), sends it spawn and
// file-creation requests, and routes its answers and its children's exits. The spawner is a child of the agent on pipes: when the
// agent ends, even by SIGKILL, the spawner reads EOF and exits, so it can never outlive the agent unmanaged.
//
// The spawner's handles keep the agent's event loop alive only while a request is unanswered: like a ChildProcess
// that was unref'd, running containers do not hold the agent (or a test process) open.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from './logger.ts';
import { DEFAULT_PATH } from './container-env.ts';
import { endChild, onLines, refChild } from './piped-child.ts';

const SPAWNER_PATH = fileURLToPath(new URL('./spawner.mjs', import.meta.url));
/** How long close() waits for the spawner to exit on EOF before it is killed. */
const CLOSE_WAIT_MS = 2000;

export interface Spawned { pid: number; procStart: number }

/** The spawner exited before answering: the request may or may not have started a process. */
export class SpawnerGoneError extends Error {
  readonly spawnerGone = true;
}

/** What becomes of a started child; registered before spawn() resolves, so no report can come too early. */
export interface ChildHandlers {
  /** The spawner reaped the child. */
  exited(child: Spawned, code: number | null, signal: NodeJS.Signals | null): void;
  /** The spawner exited while the child ran: no exit report will come. */
  lost(child: Spawned): void;
}

export interface PathsRequest { dirs: string[]; fifos: string[] }

/** How the mkfifo of makePaths() ended. */
export interface RunResult { code: number; stderr: string }

/** How a run() ended: exit code (null when killed by a signal), combined capped output, whether the timeout hit. */
export interface Ran { code: number | null; signal: NodeJS.Signals | null; output: string; timedOut: boolean }

export interface RunOptions { timeoutMs?: number; maxOutput: number; signal?: AbortSignal }

interface Pending { handlers?: ChildHandlers; resolve: (s: Spawned & RunResult & { ran?: Ran }) => void; reject: (e: Error) => void }

export class SpawnerClient {
  private proc: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly running = new Map<number, { child: Spawned; handlers: ChildHandlers }>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly log?: Logger) {}

  /** Starts the spawner now (it is started on first use otherwise), so the first pod does not wait for it. */
  warmUp(): void {
    if (!this.closed) this.ensure();
  }

  /** Starts `file` detached with stdio ignored; rejects with the OS message, or SpawnerGoneError. */
  spawn(file: string, argv: string[], env: Record<string, string>, handlers: ChildHandlers): Promise<Spawned> {
    return this.request({ file, argv, env }, handlers);
  }

  /** Creates the directories and FIFOs that do not exist yet (see spawner.mjs). */
  makePaths(paths: PathsRequest): Promise<RunResult> {
    return this.request({ paths });
  }

  /**
   * Runs `file` to completion in its own process group and collects its output (exec probes and hooks); `signal`
   * kills the group early. Rejects when it cannot be started, or with SpawnerGoneError.
   */
  async run(file: string, argv: string[], env: Record<string, string>, o: RunOptions): Promise<Ran> {
    if (o.signal?.aborted) throw new Error('aborted');
    const id = this.nextId;
    const abort = () => this.proc?.stdin!.write(`${JSON.stringify({ kill: id })}\n`);
    o.signal?.addEventListener('abort', abort, { once: true });
    try {
      const r = await this.request({ run: { file, argv, env, timeoutMs: o.timeoutMs ?? 0, maxOutput: o.maxOutput } }, undefined, id);
      return r.ran!;
    } finally {
      o.signal?.removeEventListener('abort', abort);
    }
  }

  private request(req: object, handlers?: ChildHandlers, id = this.nextId): Promise<Spawned & RunResult & { ran?: Ran }> {
    if (this.closed) return Promise.reject(new Error('the process runtime is closed'));
    const proc = this.ensure();
    this.nextId = id + 1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { handlers, resolve, reject });
      if (this.pending.size === 1) this.setRef(true);
      proc.stdin!.write(`${JSON.stringify({ id, ...req })}\n`);
    });
  }

  /** Ends the spawner (its children keep running) and resolves once it exited. */
  async close(): Promise<void> {
    this.closed = true;
    this.running.clear();
    await endChild(this.proc, 'eof', CLOSE_WAIT_MS);
  }

  private ensure(): ChildProcess {
    if (this.proc) return this.proc;
    // A minimal, fixed environment: NODE_OPTIONS (e.g. --import tsx) must not make the spawner load anything, and
    // it finds `unshare` and `sh` on the same standard PATH containers get.
    const proc = spawn(process.execPath, [SPAWNER_PATH], { stdio: ['pipe', 'pipe', 'inherit'], env: { PATH: DEFAULT_PATH } });
    this.proc = proc;
    onLines(proc.stdout!, (line) => { if (line) this.onMessage(JSON.parse(line) as Message); });
    proc.stdin!.on('error', () => {}); // EPIPE when it died; reported by 'exit'
    proc.on('error', (err) => this.log?.error({ err }, 'spawner failed'));
    // 'close', not 'exit': every message it wrote before exiting has been read by then.
    proc.once('close', (code, signal) => {
      if (this.proc === proc) this.proc = undefined;
      if (!this.closed) this.log?.warn({ code, signal }, 'spawner exited; its containers are followed by polling and a new spawner starts on demand');
      const unanswered = [...this.pending.values()];
      const orphans = [...this.running.values()];
      this.pending.clear();
      this.running.clear();
      for (const r of orphans) r.handlers.lost(r.child);
      for (const p of unanswered) p.reject(new SpawnerGoneError(`the spawner exited (${code ?? signal}) before answering`));
    });
    this.setRef(this.pending.size > 0);
    return proc;
  }

  private onMessage(m: Message): void {
    if ('exit' in m) {
      const r = this.running.get(m.exit);
      this.running.delete(m.exit);
      r?.handlers.exited(r.child, m.code, m.signal);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.setRef(false);
    if ('error' in m) { p.reject(new Error(m.error)); return; }
    if ('code' in m) { p.resolve({ pid: 0, procStart: 0, ...m }); return; }
    if ('ran' in m) { p.resolve({ pid: 0, procStart: 0, code: 0, stderr: '', ran: m.ran }); return; }
    const child = { pid: m.pid, procStart: m.procStart };
    if (p.handlers) this.running.set(child.pid, { child, handlers: p.handlers });
    p.resolve({ ...child, code: 0, stderr: '' });
  }

  private setRef(on: boolean): void {
    if (this.proc) refChild(this.proc, on);
  }
}

type Message =
  | { id: number; pid: number; procStart: number }
  | { id: number; error: string }
  | { id: number; code: number; stderr: string }
  | { id: number; ran: Ran }
  | { exit: number; code: number | null; signal: NodeJS.Signals | null };
