// A secured Podling cluster spread over lab machines (netns-lab.ts): the apiserver on "api" (10.77.0.1:6443, TLS,
// static tokens from `--generate-certs`), one agent per node machine with its own kubeconfig and lab address, and
// an "ops" machine from which the test reaches the apiserver. Everything it starts is torn down by `teardown()`
// (graceful, for `after`) or `teardownNow()` (synchronous SIGKILL, for exit and signal handlers), whichever runs
// first. Pod processes, which agents deliberately leave running, are SIGKILLed by their root dirs, their network
// namespaces (pods have their own since issue 19, outside the lab's) deleted, then the lab is destroyed, which
// SIGKILLs everything left in its namespaces.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KubeClient, loadKubeconfig } from '@podling/client';
import { killPodProcesses, makeTempDir, repoRoot, waitFor } from '@podling/testkit';
import { ContainerCgroups, NETNS_DIR, SandboxNames } from '@podling/kubelet';
import { createLab, pidAlive, sweepStaleLabs, type Lab } from './netns-lab.ts';
import { startInNetns, type NetnsProcess } from './netns-process.ts';

export const API_PORT = 6443;
export const KUBELET_PORT = 10250;

export interface NodeSpec { name: string; labels: Record<string, string> }
export interface LabAgent { nodeName: string; ip: string; rootDir: string; proc: NetnsProcess }

export interface LabClusterOptions {
  nodes: NodeSpec[];
  apiserverArgs: string[];
  agentArgs: string[];
  /** More machines on the lab switch, after "ops" (e.g. "outside", playing the internet). */
  extraHosts?: string[];
}

/** What runs killed with -9 left: their namespaces (with the processes inside) and their temp dirs. */
export function sweepStaleRuns(): void {
  sweepStaleLabs();
  for (const name of readdirSync(os.tmpdir())) {
    const m = /^podling-multihost-(\d+)-/.exec(name);
    if (m && !pidAlive(Number(m[1]))) rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

export class LabCluster {
  readonly tmp = makeTempDir(`podling-multihost-${process.pid}-`);
  readonly certs = path.join(this.tmp.dir, 'certs');
  lab: Lab | undefined;
  client!: KubeClient;
  apiserver!: NetnsProcess;
  readonly agents = new Map<string, LabAgent>();
  private readonly procs: NetnsProcess[] = [];
  private loopback: net.Server | undefined;
  private finished = false;
  private readonly onExit = () => this.teardownNow();
  private readonly onSignal = (signal: NodeJS.Signals) => { this.teardownNow(); process.kill(process.pid, signal); };

  constructor(private readonly opts: LabClusterOptions) {
    process.once('exit', this.onExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  host(role: string) { return this.lab!.hosts[role]; }
  get apiIP(): string { return this.host('api').ip; }

  async start(): Promise<void> {
    this.lab = createLab(['api', ...this.opts.nodes.map((n) => n.name), 'ops', ...(this.opts.extraHosts ?? [])]);
    execFileSync(process.execPath, ['--import', 'tsx', 'apps/apiserver/src/main.ts', '--generate-certs', this.certs,
      '--hosts', this.apiIP, '--nodes', this.opts.nodes.map((n) => n.name).join(','), '--server', `https://${this.apiIP}:${API_PORT}`],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    await this.startApiserver();
    await this.connectOps();
    await Promise.all(this.opts.nodes.map((n) => this.startAgent(n)));
  }

  async startApiserver(): Promise<void> {
    this.apiserver = this.track(startInNetns('apiserver', this.host('api').ns, 'apps/apiserver/src/main.ts', [
      '--address', this.apiIP, '--port', String(API_PORT), '--db', path.join(this.tmp.dir, 'podling.db'),
      '--tls-cert-file', path.join(this.certs, 'apiserver.crt'), '--tls-private-key-file', path.join(this.certs, 'apiserver.key'),
      '--token-auth-file', path.join(this.certs, 'tokens.csv'),
      // The apiserver → agent link: its client certificate, and the CA that signed each agent's serving certificate.
      '--kubelet-client-certificate', path.join(this.certs, 'apiserver-kubelet-client.crt'),
      '--kubelet-client-key', path.join(this.certs, 'apiserver-kubelet-client.key'),
      '--kubelet-certificate-authority', path.join(this.certs, 'ca.crt'), ...this.opts.apiserverArgs,
    ]));
    await this.apiserver.waitForLog((l) => l.msg === 'listening');
  }

  async restartApiserver(): Promise<void> {
    const code = await this.apiserver.stop();
    if (code !== 0) throw new Error(`apiserver exited with ${code} on SIGTERM:\n${this.apiserver.output().slice(-3000)}`);
    await this.startApiserver();
  }

  /**
   * The test's own connection: 127.0.0.1 (root namespace) → a Unix socket → a forwarder on the ops machine →
   * the apiserver's lab address. The client trusts only the generated CA and sends the admin token.
   */
  private async connectOps(): Promise<void> {
    const socket = path.join(this.tmp.dir, 'ops.sock');
    const fwd = this.track(startInNetns('ops-forwarder', this.host('ops').ns, 'test/multihost/socket-forwarder.ts',
      ['--listen', socket, '--connect', `${this.apiIP}:${API_PORT}`]));
    await fwd.waitForLog((l) => l.msg === 'listening');
    this.loopback = net.createServer((inbound) => {
      const outbound = net.connect(socket);
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('error', () => outbound.destroy());
      outbound.on('error', () => inbound.destroy());
    });
    await new Promise<void>((r) => this.loopback!.listen(0, '127.0.0.1', r));
    const { port } = this.loopback.address() as net.AddressInfo;
    const admin = loadKubeconfig(path.join(this.certs, 'admin.kubeconfig'));
    this.client = new KubeClient({ ...admin, server: `https://127.0.0.1:${port}`, userAgent: 'multihost-test' });
    await waitFor(async () => (await this.client.request('GET', '/readyz')).ok, { timeoutMs: 20_000, message: 'apiserver /readyz through the ops machine' });
  }

  async startAgent(node: NodeSpec): Promise<LabAgent> {
    const { ns, ip } = this.host(node.name);
    const rootDir = path.join(this.tmp.dir, node.name);
    const labels = Object.entries(node.labels).map(([k, v]) => `${k}=${v}`).join(',');
    const proc = this.track(startInNetns(node.name, ns, 'apps/kubelet/src/main.ts', [
      '--kubeconfig', path.join(this.certs, `node-${node.name}.kubeconfig`), '--node-name', node.name, '--root-dir', rootDir,
      '--address', ip, '--port', String(KUBELET_PORT), '--node-labels', labels,
      '--tls-cert-file', path.join(this.certs, `kubelet-${node.name}.crt`), '--tls-private-key-file', path.join(this.certs, `kubelet-${node.name}.key`),
      '--client-ca-file', path.join(this.certs, 'ca.crt'), ...this.opts.agentArgs,
    ]));
    await proc.waitForLog((l) => l.msg === 'listening');
    const agent = { nodeName: node.name, ip, rootDir, proc };
    this.agents.set(node.name, agent);
    return agent;
  }

  /** The last output of every process, for a failed test's report. */
  report(): string {
    return this.procs.map((p) => `--- ${p.name} (pid ${p.pid}) ---\n${p.output().slice(-5000)}`).join('\n');
  }

  /** SIGTERM agents, then the apiserver and forwarder (reverse start order), then the synchronous sweep. */
  async teardown(): Promise<void> {
    if (this.finished) return;
    for (const p of [...this.procs].reverse()) await p.stop(5000);
    await new Promise<void>((r) => (this.loopback ? this.loopback.close(() => r()) : r()));
    this.reapPods();
    // The pods' (now empty) cgroups; only the asynchronous path can remove them.
    for (const a of this.agents.values()) await ContainerCgroups.detect(a.rootDir, a.nodeName).removeAll().catch(() => {});
    this.teardownNow();
  }

  /** Kills what agents left running and deletes their pods' network namespaces (synchronous, for exit handlers). */
  private reapPods(): void {
    for (const a of this.agents.values()) {
      killPodProcesses(a.rootDir);
      const names = new SandboxNames(a.nodeName, a.rootDir);
      let entries: string[] = [];
      try { entries = readdirSync(NETNS_DIR); } catch { /* none */ }
      for (const e of entries) {
        if (!names.uidOfNetns(e)) continue;
        try { execFileSync('ip', ['netns', 'del', e], { stdio: 'ignore' }); } catch { /* raced, or gone */ }
      }
      const ipc = path.join(a.rootDir, 'sandboxes');
      let pins: string[] = [];
      try { pins = readdirSync(ipc); } catch { /* none */ }
      for (const f of pins) {
        try { execFileSync('umount', [path.join(ipc, f)], { stdio: 'ignore' }); } catch { /* not mounted */ }
      }
    }
  }

  teardownNow(): void {
    if (this.finished) return;
    this.finished = true;
    process.off('exit', this.onExit);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    for (const p of this.procs) if (p.alive()) p.child.kill('SIGKILL');
    this.reapPods();
    this.loopback?.close();
    this.lab?.destroy();
    this.tmp.remove();
  }

  private track(p: NetnsProcess): NetnsProcess {
    this.procs.push(p);
    return p;
  }
}
