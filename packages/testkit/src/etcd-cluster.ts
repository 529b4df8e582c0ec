// A real etcd cluster for tests: N members of Debian's etcd-server on loopback ports, each with a data dir in one
// temp dir. Members can be killed and restarted (they rejoin with their data dir); stop() ends every member by pid
// and removes the temp dir. A process that exits without stop() still kills its members (exit hook, and the
// parent-death signal when it is killed).
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port.ts';
import { makeTempDir } from './cluster.ts';

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  /** Running right now (false after kill() until restart()). */
  readonly running: boolean;
  /** The etcd process's pid while running (for CPU figures in benchmarks). */
  readonly pid: number | undefined;
  /** What the member printed lately (for failure messages). */
  output(): string;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Every member's client URL: what --etcd-servers takes. */
  readonly endpoints: string[];
  /** SIGKILL (default) or SIGTERM one member and wait for it to exit. */
  kill(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a killed member again with its data dir and waits until it reports healthy. */
  restart(index: number): Promise<void>;
  /** Kills every member and removes the data dirs. Safe to call twice. */
  stop(): Promise<void>;
}

export interface EtcdClusterOptions {
  /** Number of members (default 1). */
  members?: number;
  /** Extra etcd flags for every member, e.g. ['--experimental-watch-progress-notify-interval', '1s']. */
  args?: string[];
}

const alive = new Set<ChildProcess>();
const dirs = new Set<string>();
process.once('exit', () => {
  for (const c of alive) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

class Member implements EtcdMember {
  child: ChildProcess | undefined;
  private log = '';
  constructor(readonly name: string, readonly clientUrl: string, readonly peerUrl: string, readonly dataDir: string,
    private readonly argv: string[]) {}

  get running(): boolean { return !!this.child && this.child.exitCode === null && this.child.signalCode === null; }
  get pid(): number | undefined { return this.running ? this.child!.pid : undefined; }
  output(): string { return this.log; }

  start(): void {
    // setpriv --pdeathsig: the member dies with the test process even when that is killed (no exit hook runs then).
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'etcd', ...this.argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (b: Buffer) => { this.log = (this.log + b.toString()).slice(-8000); });
    // A cluster shared by a whole test file must not keep its process alive once the tests are done.
    child.unref();
    (child.stderr as unknown as { unref(): void }).unref();
    child.once('exit', () => alive.delete(child));
    alive.add(child);
    this.child = child;
  }

  async stop(signal: NodeJS.Signals, graceMs = 5000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  async healthy(): Promise<boolean> {
    if (!this.running) throw new Error(`etcd member ${this.name} exited (${this.child?.exitCode ?? this.child?.signalCode}):\n${this.log.slice(-3000)}`);
    try {
      const res = await fetch(`${this.clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    } catch {
      return false;
    }
  }
}

/** Starts the members and resolves once every one reports healthy (a leader is elected). Retries with other ports
 *  when one was taken meanwhile. */
export async function startEtcdCluster(opts: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const n = opts.members ?? 1;
  for (let attempt = 1; ; attempt++) {
    const tmp = makeTempDir('podling-etcd-');
    const ports = await Promise.all(Array.from({ length: 2 * n }, () => freePort()));
    const names = Array.from({ length: n }, (_, i) => `m${i + 1}`);
    const peers = names.map((_, i) => `http://127.0.0.1:${ports[2 * i + 1]}`);
    const initialCluster = names.map((name, i) => `${name}=${peers[i]}`).join(',');
    const members = names.map((name, i) => {
      const client = `http://127.0.0.1:${ports[2 * i]}`;
      const dataDir = path.join(tmp.dir, name);
      return new Member(name, client, peers[i], dataDir, [
        '--name', name, '--data-dir', dataDir, '--logger', 'zap', '--log-level', 'error',
        '--listen-client-urls', client, '--advertise-client-urls', client,
        '--listen-peer-urls', peers[i], '--initial-advertise-peer-urls', peers[i],
        '--initial-cluster', initialCluster, '--initial-cluster-token', `podling-test-${ports[0]}`,
        '--initial-cluster-state', 'new', ...(opts.args ?? []),
      ]);
    });
    const cluster = new EtcdProcesses(members, tmp.dir);
    for (const m of members) m.start();
    try {
      await cluster.waitHealthy(members);
      return cluster;
    } catch (e) {
      await cluster.stop();
      const portTaken = members.some((m) => /address already in use/.test(m.output()));
      if (!portTaken || attempt >= 3) throw e;
    }
  }
}

class EtcdProcesses implements EtcdCluster {
  private stopped = false;
  constructor(readonly members: Member[], private readonly dir: string) {
    dirs.add(dir);
  }

  get endpoints(): string[] { return this.members.map((m) => m.clientUrl); }

  /** Fails at once when a member exits (a port taken, a bad flag) instead of waiting out the deadline. */
  async waitHealthy(members: Member[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await Promise.all(members.map((m) => m.healthy()))).every(Boolean)) {
      if (Date.now() > deadline) throw new Error(`etcd members ${members.map((m) => m.name).join(', ')} not healthy within 30 s:\n${members.map((m) => m.output().slice(-1500)).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async kill(index: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.member(index).stop(signal);
  }

  async restart(index: number): Promise<void> {
    const m = this.member(index);
    if (m.running) throw new Error(`etcd member ${m.name} is still running`);
    m.start();
    await this.waitHealthy([m]);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // SIGKILL: the data is deleted next, so there is nothing to flush; SIGTERM on every member at once makes the
    // leader wait ~5 s trying to hand leadership to followers that are exiting too.
    await Promise.all(this.members.map((m) => m.stop('SIGKILL')));
    rmSync(this.dir, { recursive: true, force: true });
    dirs.delete(this.dir);
  }

  private member(index: number): Member {
    const m = this.members[index];
    if (!m) throw new Error(`no etcd member ${index} (cluster of ${this.members.length})`);
    if (this.stopped) throw new Error('the etcd cluster is stopped');
    return m;
  }
}
