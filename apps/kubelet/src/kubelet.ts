// The agent: serves its HTTP endpoint, registers and heartbeats the Node, recovers what a previous run of the agent
// left on this node, and runs a worker for every pod bound here (informer with fieldSelector spec.nodeName).
//
// Recovery at start, before any pod is synced: state.json records are loaded and handed to the workers of pods that
// still exist (same UID), which adopt the live processes. After the first list, records of pods that are gone get
// their processes killed (TERM, KILL 2 s later) and their directories removed. Finally /proc is swept for container
// wrappers under this root dir that no record accounts for (a crash between a spawn and its state write, which
// follows shortly after, off the event loop).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { formatCidr, StatusError, type Node } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
import type { KubeletConfig } from './config.ts';
import { CrashLoopBackoff } from './crashloop-backoff.ts';
import { kubeletEventRecorder } from './kubelet-event-recorder.ts';
import { buildKubeletServer } from './kubelet-server.ts';
import { containerLogTarget } from './container-log-target.ts';
import { findContainer } from './running-container.ts';
import { closeStreams } from './stream-server.ts';
import type { Logger } from './logger.ts';
import { hostNodeFacts } from './node-object.ts';
import { cgroupBounds } from './cgroup-capacity.ts';
import { NodeRegistrar } from './node-registrar.ts';
import { NodeRoutes } from './node-routes.ts';
import { PodStateStore } from './pod-state-store.ts';
import { PodSync } from './pod-sync.ts';
import { PodSandbox } from './pod-sandbox.ts';
import { ProcessRuntime } from './process-runtime.ts';
import { liveWrappers, WRAPPER_ENV } from './container-wrapper.ts';
import { ContainerCgroups } from './container-cgroup.ts';
import { DescendantTracker } from './descendant-tracker.ts';
import { UserNamespaceIds } from './user-namespace-ids.ts';
import { isRunning, type PodRecord } from './pod-record.ts';
import { PodPaths } from './pod-paths.ts';
import { PodNetwork } from './pod-network.ts';
import type { HostCommands } from './host-commands.ts';
import { NsexecServer } from './nsexec-server.ts';
import { ensureNsexec, NSEXEC } from './nsexec.ts';
import { PodCidrSource } from './pod-cidr-source.ts';
import { ProxyTable } from './proxy-table.ts';
import { ServiceProxy } from './service-proxy.ts';
import { proxyUnavailableReason, ServiceProxyCondition } from './service-proxy-condition.ts';
import { runCommand } from './run-command.ts';

const ORPHAN_KILL_GRACE_MS = 2000;

export class Kubelet {
  private readonly runtime: ProcessRuntime;
  private readonly store: PodStateStore;
  private readonly server;
  private registrar: NodeRegistrar | undefined;
  private nodeRoutes: NodeRoutes | undefined;
  private pods: PodSync | undefined;
  private readonly cgroups: ContainerCgroups;
  private readonly tracker = new DescendantTracker();
  /** Runs the pod sandboxes' setup and teardown steps (started on the first pod that gets a sandbox). */
  private readonly nsexecServer = new NsexecServer();
  private network: PodNetwork | { unavailable: string } = { unavailable: 'the agent has not started' };
  private cidr: PodCidrSource | undefined;
  private proxy: ServiceProxy | undefined;
  private proxyCondition: ServiceProxyCondition | undefined;
  url = '';

  constructor(private readonly cfg: KubeletConfig, private readonly client: KubeClientApi, private readonly log: Logger) {
    this.store = new PodStateStore(cfg.rootDir, log.child({ component: 'state' }));
    this.runtime = new ProcessRuntime(log.child({ component: 'runtime' }), this.nsexecServer);
    this.cgroups = cfg.cgroups ? ContainerCgroups.detect(cfg.rootDir, cfg.nodeName) : ContainerCgroups.at({ kind: 'none', reason: '--cgroups=false' });
    const tls = cfg.tlsCertFile ? { cert: readFileSync(cfg.tlsCertFile), key: readFileSync(cfg.tlsPrivateKeyFile!), ca: readFileSync(cfg.clientCAFile!) } : undefined;
    this.server = buildKubeletServer({
      findLog: (ns, pod, c, prev) => this.findLog(ns, pod, c, prev),
      findContainer: (ns, pod, c) => findContainer(this.pods?.workers.byName(ns, pod), pod, c),
      findPodPortTarget: (ns, pod) => { const s = this.worker(ns, pod).sandbox.network.sandbox; return s ? { netns: s.netns } : {}; },
      auth: { token: cfg.kubeletAuthToken, clientCA: tls !== undefined }, tls,
      log: log.child({ component: 'server' }),
    });
  }

  async start(): Promise<void> {
    this.runtime.warmUp();
    const noNamespaces = process.getuid?.() === 0 ? whyNoNamespaces() : `the agent runs as uid ${process.getuid?.()}, and only root can make network and IPC namespaces`;
    const namespaces = noNamespaces === undefined;
    if (process.getuid?.() === 0 && noNamespaces) this.log.warn({ reason: noNamespaces }, 'pods run without namespaces');
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.cfg.port, this.cfg.address, () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    if (!this.cfg.kubeletAuthToken && !this.cfg.tlsCertFile) {
      this.log.warn({}, 'neither --kubelet-auth-token nor --tls-cert-file/--client-ca-file is set: the agent cannot tell the apiserver from anyone else and refuses every request (logs, exec, attach and port-forward will not work)');
    }
    this.url = `${this.cfg.tlsCertFile ? 'https' : 'http'}://${this.cfg.address.includes(':') ? `[${this.cfg.address}]` : this.cfg.address}:${port}`;
    // Always printed, whatever the level: tools wait for this line to learn the URL.
    const announce = (this.log as { isLevelEnabled?: (l: string) => boolean }).isLevelEnabled?.('info') === false ? this.log.warn : this.log.info;
    announce.call(this.log, { url: this.url, node: this.cfg.nodeName, rootDir: this.cfg.rootDir, namespaces, cgroups: this.cgroups.mode.kind }, 'listening');
    if (this.cgroups.mode.kind === 'none') {
      this.log.warn({ reason: this.cgroups.mode.reason }, 'no cgroups: containers\' descendants are tracked by /proc scans; one that escapes between two scans is not ended with its container');
    }

    const events = kubeletEventRecorder(this.client, this.cfg.nodeName, this.log.child({ component: 'events' }));
    const table = new ProxyTable(this.cfg.nodeName, this.cfg.rootDir);
    const node = { namespace: 'default', name: this.cfg.nodeName, uid: this.cfg.nodeName, kind: 'Node' as const };
    const proxyCondition = new ServiceProxyCondition(table.name, (reason, message) => events.record(node, 'Warning', reason, message), () => this.registrar?.refresh());
    this.proxyCondition = proxyCondition;
    this.registrar = new NodeRegistrar(this.client, {
      ...hostNodeFacts({ nodeName: this.cfg.nodeName, nodeIP: this.cfg.nodeIP, port, labels: this.cfg.nodeLabels, maxPods: this.cfg.maxPods },
        cgroupBounds(this.cgroups.controller('memory'), this.cgroups.controller('cpu'))),
      moreConditions: () => [proxyCondition.template()],
    }, { updateMs: this.cfg.nodeStatusUpdateFrequencyMs, reportMs: this.cfg.nodeStatusReportFrequencyMs }, this.log.child({ component: 'node' }));
    this.registrar.start();
    // Routes to other nodes' pods and the masquerade rule need root (netlink, nftables); without it pods share the
    // host's network anyway.
    if (process.getuid?.() === 0) {
      this.nodeRoutes = new NodeRoutes({
        client: this.client, nodeName: this.cfg.nodeName, clusterCidr: this.cfg.clusterCidr, log: this.log.child({ component: 'node-routes' }),
        podCIDR: () => this.cidr?.current?.text, // the range pods really get (--pod-cidr wins over the Node's)
      });
      void this.nodeRoutes.start().catch((err) => this.log.warn({ err }, 'node routes failed to start'));
    }
    this.network = noNamespaces === undefined ? new PodNetwork(this.cfg.nodeName, this.cfg.rootDir, this.hostCommands()) : { unavailable: noNamespaces };
    this.cidr = new PodCidrSource(this.cfg.podCIDR, () => this.client.get<Node>({ resource: 'nodes' }, this.cfg.nodeName), this.log.child({ component: 'network' }));
    this.cidr.start();

    const { records, unreadable } = this.store.loadAll();
    for (const uid of unreadable) rmSync(path.join(PodPaths.podsDir(this.cfg.rootDir), uid), { recursive: true, force: true });
    const recovered = new Map(records.map((r) => [r.uid, r]));
    const runtime = this.runtime;
    const sandboxDeps = {
      network: this.network, cidr: this.cidr, nodeIP: this.cfg.nodeIP,
      dns: { clusterDNS: this.cfg.clusterDNS, clusterDomain: this.cfg.clusterDomain, hostResolvConf: () => (this.cfg.resolvConf ? readFileSync(this.cfg.resolvConf, 'utf8') : '') },
    };
    this.pods = new PodSync({
      client: this.client, nodeName: this.cfg.nodeName, log: this.log, recovered,
      workers: {
        rootDir: this.cfg.rootDir, nodeIP: this.cfg.nodeIP, namespaces, mountBin: 'mount',
        backoff: new CrashLoopBackoff(this.cfg.crashloopBackoffBaseMs, this.cfg.crashloopBackoffMaxMs),
        runtime: {
          sandbox: (uid, paths, persist) => new PodSandbox(paths, runtime, this.cfg.containerLogMaxBytes, this.cgroups, uid, sandboxDeps, { tracker: this.tracker, persist }),
          signalGroup: (pgid, signal, procStart) => runtime.signalGroup(pgid, signal, procStart),
          run: (file, argv, env, o) => runtime.run(file, argv, env, o),
        },
        store: this.store, defaultHostUsers: this.cfg.defaultHostUsers,
        userNamespaces: new UserNamespaceIds(this.cfg.rootDir, records.map((r) => [r.uid, r.userNamespaceBase])),
      },
    });
    const { synced } = await this.pods.start();
    await this.startProxy(table, this.pods.servicesSynced!);
    void synced.then(() => this.reclaim(recovered, records), () => {});
  }

  /** Stops watching and heartbeating and closes the HTTP server; pod processes keep running for the next agent. */
  async stop(): Promise<void> {
    await this.pods?.stop();
    await this.registrar?.stop();
    await this.proxy?.stop().catch((err) => this.log.warn({ err }, 'cannot remove the service proxy table'));
    await this.nodeRoutes?.stop();
    this.cidr?.stop();
    // Pods keep running (and keep their sandboxes) for the next agent; the bridge goes only when none is left.
    if ('bridge' in this.network) await this.network.bridge.removeIfUnused().catch((err) => this.log.warn({ err }, 'cannot remove the node bridge'));
    await this.store.flush();
    await this.runtime.detachAll();
    await this.nsexecServer.close();
    this.tracker.stop();
    this.cgroups.release();
    closeStreams();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The service proxy when this agent can program nftables; else the Node's condition and an event say why not. */
  private async startProxy(table: ProxyTable, servicesSynced: Promise<void>): Promise<void> {
    const uid = process.getuid?.();
    const nft = uid === 0 ? await runCommand('nft', ['--version']).catch(() => undefined) : undefined;
    const unavailable = proxyUnavailableReason(uid, nft);
    if (unavailable) {
      this.log.warn({ reason: unavailable }, 'no service proxy on this node');
      this.proxyCondition?.set(unavailable);
      return;
    }
    const cfg = this.cfg;
    this.proxy = new ServiceProxy({
      client: this.client, services: this.pods!.services, servicesSynced, table, log: this.log.child({ component: 'service-proxy' }),
      facts: () => ({ podCIDR: this.cidr?.current?.text, clusterCIDR: formatCidr(cfg.clusterCidr), serviceCIDR: formatCidr(cfg.serviceCidr), nodeIPs: [cfg.nodeIP] }),
      onResult: (problem) => this.proxyCondition?.set(problem),
    });
    this.cidr?.onKnown(() => this.proxy?.kick());
    void this.proxy.start().catch((err) => this.log.warn({ err }, 'service proxy failed to start'));
  }

  private worker(ns: string, pod: string) {
    const w = this.pods?.workers.byName(ns, pod);
    if (!w) throw new StatusError(404, 'NotFound', `pods ${JSON.stringify(pod)} not found`, { name: pod, kind: 'pods' });
    return w;
  }

  private findLog(ns: string, pod: string, container: string, previous: boolean) {
    return containerLogTarget(this.worker(ns, pod), container, previous);
  }

  /** Kills what belongs to pods that vanished while the agent was away, and wrappers no record knows. */
  private reclaim(unclaimed: Map<string, PodRecord>, all: PodRecord[]): void {
    const unclaimedCount = unclaimed.size;
    const known = new Set<number>();
    for (const r of all) for (const c of Object.values(r.containers)) if (c.current) known.add(c.current.pid);
    for (const rec of unclaimed.values()) {
      this.log.info({ uid: rec.uid, pod: `${rec.namespace}/${rec.name}` }, 'pod no longer bound here; killing its processes');
      const running = Object.values(rec.containers).map((c) => c.current).filter(isRunning);
      for (const i of running) DescendantTracker.kill(i); // what the no-cgroup fallback recorded
      const groups = running.filter((i) => this.runtime.isAlive(i.pid, i.procStart));
      void this.killGroups(groups.map((g) => ({ pid: g.pid, procStart: g.procStart })))
        .then(() => this.cgroups.removePod(rec.uid)).then(() => this.reclaimSandboxes())
        .then(() => this.store.remove(rec.uid));
    }
    unclaimed.clear();
    if (unclaimedCount === 0) void this.reclaimSandboxes();
    // Cgroups of pods no worker runs (their record was never written, or is gone): what is in them is nobody's.
    for (const uid of this.cgroups.pods()) {
      if (this.pods?.workers.has(uid) || all.some((r) => r.uid === uid)) continue;
      this.log.warn({ uid }, 'killing the processes of a pod cgroup no pod accounts for');
      void this.cgroups.removePod(uid);
    }
    const strays = findWrappers(this.cfg.rootDir).filter((w) => !known.has(w.pid));
    if (strays.length > 0) this.log.warn({ pids: strays.map((s) => s.pid) }, 'killing container wrappers no record accounts for');
    void this.killGroups(strays);
  }

  /** Tears down the network/IPC sandboxes of pods no worker runs (their processes were killed first). */
  private async reclaimSandboxes(): Promise<void> {
    if (!('reclaim' in this.network)) return;
    try {
      const gone = await this.network.reclaim((uid) => this.pods?.workers.has(uid) === true);
      if (gone.length > 0) this.log.info({ uids: gone }, 'removed the sandboxes of pods no longer here');
    } catch (err) {
      this.log.warn({ err }, 'cannot reclaim pod sandboxes');
    }
  }

  /** Network setup commands, run as root in the spawner (forks stay off the agent's event loop), and sandbox steps
   *  in the long-lived podling-nsexec. */
  private hostCommands(): HostCommands {
    const run = async ([file, ...argv]: string[]) => {
      const r = await this.runtime.run(file, argv, { ...WRAPPER_ENV }, { timeoutMs: 30_000, maxOutput: 8192 });
      if (r.code !== 0) throw new Error(r.timedOut ? `timed out: ${[file, ...argv].join(' ').split('\n')[0]}` : r.output.trim() || `exit code ${r.code ?? r.signal}`);
    };
    return { script: (s) => run(['/bin/sh', '-c', s]), command: run, steps: (steps) => this.nsexecServer.run(steps) };
  }

  private async killGroups(groups: { pid: number; procStart: number }[]): Promise<void> {
    for (const g of groups) this.runtime.signalGroup(g.pid, 'SIGTERM', g.procStart);
    const until = Date.now() + ORPHAN_KILL_GRACE_MS;
    while (Date.now() < until && groups.some((g) => this.runtime.groupAlive(g.pid))) await new Promise((r) => setTimeout(r, 50));
    for (const g of groups) this.runtime.signalGroup(g.pid, 'SIGKILL');
  }
}

/** Why pods cannot get namespaces here (as root), or undefined when the helper makes UTS and mount namespaces. */
function whyNoNamespaces(): string | undefined {
  const unbuilt = ensureNsexec();
  if (unbuilt) return unbuilt;
  try {
    execFileSync(NSEXEC, ['--unshare-uts-mount', '--', 'true'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
    return undefined;
  } catch (err) {
    return `cannot make namespaces here: ${String((err as { stderr?: Buffer }).stderr ?? '').trim() || (err as Error).message}`;
  }
}

/** Live container wrappers whose exit file lies under `root`. */
function findWrappers(root: string): { pid: number; procStart: number }[] {
  const prefix = path.join(PodPaths.podsDir(root), '');
  return liveWrappers().filter((w) => w.exitFile.startsWith(prefix));
}
