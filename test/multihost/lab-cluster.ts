// A secured Podling cluster spread over lab machines (netns-lab.ts): the apiserver on "api" (10.77.0.1:6443, TLS,
// static tokens from `--generate-certs`), one agent per node machine with its own kubeconfig and lab address, and
// an "ops" machine from which the test reaches the apiserver. For a highly available control plane (issue 16) the
// apiservers run on several machines, on an etcd cluster whose members have machines of their own or share them
// (lab-etcd.ts); the kubeconfigs list every apiserver. Everything it starts is torn down by `teardown()`
// (graceful, for `after`) or `teardownNow()` (synchronous SIGKILL, for exit and signal handlers), whichever runs
// first. Pod processes, which agents deliberately leave running, are SIGKILLed by their root dirs, their network
// namespaces (pods have their own since issue 19, outside the lab's) deleted, then the lab is destroyed, which
// SIGKILLs everything left in its namespaces.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KubeClient, loadKubeconfig } from '@podling/client';
import { killPodProcesses, makeTempDir, repoRoot, waitFor } from '@podling/testkit';
import { ContainerCgroups, NETNS_DIR, SandboxNames } from '@podling/kubelet';
import { createLab, pidAlive, sweepStaleLabs, type Lab } from './netns-lab.ts';
import { startInNetns, type NetnsProcess } from './netns-process.ts';
import { etcdEndpoints, etcdJoined, startLabEtcd } from './lab-etcd.ts';

export const API_PORT = 6443;
export const KUBELET_PORT = 10250;

export interface LabNode { name: string; labels: Record<string, string> }
export interface LabAgent { nodeName: string; ip: string; rootDir: string; proc: NetnsProcess }

export interface LabClusterOptions {
  nodes: LabNode[];
  apiserverArgs: string[];
  agentArgs: string[];
  /** More machines on the lab switch, after "ops" (e.g. "outside", playing the internet). */
  extraHosts?: string[];
  /** The machines that run an apiserver (default ["api"]), first on the switch. The first starts alone, so it is
   *  the one that leads the controllers; the others start beside the agents. */
  controlPlanes?: string[];
  /** Machines that each run a member of the etcd cluster the apiservers store in (default none: the one apiserver
   *  keeps SQLite). A control-plane machine may be one of them. */
  etcdMembers?: string[];
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
  /** The test's client of the first apiserver; clientOf() for the others. */
  client!: KubeClient;
  readonly apiservers = new Map<string, NetnsProcess>();
  readonly etcd: NetnsProcess[] = [];
  private readonly clients = new Map<string, KubeClient>();
  readonly agents = new Map<string, LabAgent>();
  private readonly procs: NetnsProcess[] = [];
  private readonly loopbacks: net.Server[] = [];
  private finished = false;
  private readonly onExit = () => this.teardownNow();
  private readonly onSignal = (signal: NodeJS.Signals) => { this.teardownNow(); process.kill(process.pid, signal); };

  constructor(private readonly opts: LabClusterOptions) {
    process.once('exit', this.onExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  host(role: string) { return this.lab!.hosts[role]; }
  private get controlPlanes(): string[] { return this.opts.controlPlanes ?? ['api']; }
  /** The first apiserver's machine address. */
  get apiIP(): string { return this.host(this.controlPlanes[0]).ip; }
  /** The first apiserver. */
  get apiserver(): NetnsProcess { return this.apiservers.get(this.controlPlanes[0])!; }
  /** The test's client of the apiserver on `role`, through the ops machine. */
  clientOf(role: string): KubeClient { return this.clients.get(role)!; }

  async start(): Promise<void> {
    const planes = this.controlPlanes;
    const etcdMembers = this.opts.etcdMembers ?? [];
    this.lab = createLab([...new Set([...planes, ...this.opts.nodes.map((n) => n.name), 'ops', ...(this.opts.extraHosts ?? []), ...etcdMembers])]);
    const servers = planes.map((r) => `https://${this.host(r).ip}:${API_PORT}`).join(',');
    const certs = promisify(execFile)(process.execPath, ['--import', 'tsx', 'apps/apiserver/src/main.ts', '--generate-certs', this.certs,
      '--hosts', planes.map((r) => this.host(r).ip).join(','), '--nodes', this.opts.nodes.map((n) => n.name).join(','), '--server', servers],
    { cwd: repoRoot, timeout: 60_000 });
    this.etcd.push(...startLabEtcd(etcdMembers.map((r) => this.host(r)), this.tmp.dir).map((m) => this.track(m)));
    await Promise.all([certs, etcdJoined(this.etcd)]);
    await this.startApiserver(planes[0]);
    await this.connectOps();
    await Promise.all([...planes.slice(1).map((r) => this.startApiserver(r)), ...this.opts.nodes.map((n) => this.startAgent(n))]);
  }

  async startApiserver(role = this.controlPlanes[0]): Promise<void> {
    const { ns, ip } = this.host(role);
    const etcdMembers = this.opts.etcdMembers ?? [];
    const storage = etcdMembers.length > 0
      ? ['--storage-backend', 'etcd3', '--etcd-servers', etcdEndpoints(etcdMembers.map((r) => this.host(r))).join(',')]
      : ['--db', path.join(this.tmp.dir, 'podling.db')];
    const proc = this.track(startInNetns(`apiserver-${role}`, ns, 'apps/apiserver/src/main.ts', [
      '--address', ip, '--port', String(API_PORT), ...storage,
      '--tls-cert-file', path.join(this.certs, 'apiserver.crt'), '--tls-private-key-file', path.join(this.certs, 'apiserver.key'),
      '--token-auth-file', path.join(this.certs, 'tokens.csv'),
      // The apiserver → agent link: its client certificate, and the CA that signed each agent's serving certificate.
      '--kubelet-client-certificate', path.join(this.certs, 'apiserver-kubelet-client.crt'),
      '--kubelet-client-key', path.join(this.certs, 'apiserver-kubelet-client.key'),
      '--kubelet-certificate-authority', path.join(this.certs, 'ca.crt'), ...this.opts.apiserverArgs,
    ]));
    this.apiservers.set(role, proc);
    await proc.waitForLog((l) => l.msg === 'listening');
  }

  async restartApiserver(): Promise<void> {
    const code = await this.apiserver.stop();
    if (code !== 0) throw new Error(`apiserver exited with ${code} on SIGTERM:\n${this.apiserver.output().slice(-3000)}`);
    await this.startApiserver();
  }

  /**
   * The test's own connections: 127.0.0.1 (root namespace) → a Unix socket → a forwarder on the ops machine →
   * each apiserver's lab address. The clients trust only the generated CA and send the admin token.
   */
  private async connectOps(): Promise<void> {
    const planes = this.controlPlanes;
    const socket = (role: string) => path.join(this.tmp.dir, `ops-${role}.sock`);
    const fwd = this.track(startInNetns('ops-forwarder', this.host('ops').ns, 'test/multihost/socket-forwarder.ts',
      planes.flatMap((r) => ['--listen', socket(r), '--connect', `${this.host(r).ip}:${API_PORT}`])));
    await fwd.waitForLog((l) => l.msg === 'listening');
    const admin = loadKubeconfig(path.join(this.certs, 'admin.kubeconfig'));
    for (const role of planes) {
      const loopback = net.createServer((inbound) => {
        const outbound = net.connect(socket(role));
        inbound.pipe(outbound).pipe(inbound);
        inbound.on('error', () => outbound.destroy());
        outbound.on('error', () => inbound.destroy());
      });
      this.loopbacks.push(loopback);
      await new Promise<void>((r) => loopback.listen(0, '127.0.0.1', r));
      const { port } = loopback.address() as net.AddressInfo;
      this.clients.set(role, new KubeClient({ ...admin, server: `https://127.0.0.1:${port}`, userAgent: 'multihost-test' }));
    }
    this.client = this.clientOf(planes[0]);
    await waitFor(async () => (await this.client.request('GET', '/readyz')).ok, { timeoutMs: 20_000, message: 'apiserver /readyz through the ops machine' });
  }

  async startAgent(node: LabNode): Promise<LabAgent> {
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
    await Promise.all(this.loopbacks.map((l) => new Promise<void>((r) => l.close(() => r()))));
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
    for (const l of this.loopbacks) l.close();
    this.lab?.destroy();
    this.tmp.remove();
  }

  private track(p: NetnsProcess): NetnsProcess {
    this.procs.push(p);
    return p;
  }
}
