// One pod's network and IPC sandbox, decided once per pod:
//   hostNetwork: true          → the host's network (podIP = node IP), as in Kubernetes;
//   no sandbox on this node    → the host's network and IPC, with `fallback` saying what is lacking and why
//     (agent not root, no namespaces, a failed setup): never a silent half;
//   no pod range yet           → waiting: no container starts until the Node has a podCIDR (or --pod-cidr);
//   otherwise                  → its own netns + IPC namespace with an IP from the node's range (pod-network.ts).
// A pod whose containers already ran without a sandbox (the previous agent fell back) keeps the host network: its
// running containers cannot be moved.
import { existsSync, writeFileSync } from 'node:fs';
import type { Pod } from '@podling/api';
import type { PodCidrSource } from './pod-cidr-source.ts';
import { podHostsFile } from './pod-hosts-file.ts';
import { formatResolvConf, parseResolvConf, podResolvConf, type PodDnsSettings, type PodDnsWarning } from './pod-resolv-conf.ts';
import type { PodNetNamespaces, PodNetwork } from './pod-network.ts';
import type { PodPaths } from './pod-paths.ts';
import type { SandboxNamespaces } from './process-runtime.ts';

/** What containers join: the namespaces (no `ipc` for hostIPC pods), the pod's IP and its /etc/hosts. */
export type PodSandboxView = SandboxNamespaces & { ip: string; hostsFile: string };

/** The node's side: the pod networks when this node can make sandboxes, else why not. */
export interface NetworkDeps {
  network: PodNetwork | { unavailable: string };
  cidr: PodCidrSource;
  nodeIP: string;
  /** Cluster DNS settings and the host's resolv.conf text, for the pod's /etc/resolv.conf; none: no file. */
  dns?: PodDnsSettings & { hostResolvConf: () => string };
}

export type NetworkState =
  | { kind: 'waiting'; message: string }
  | { kind: 'ready'; ip: string; sandbox?: PodSandboxView; fallback?: string };

export class PodSandboxNetwork {
  private settled: Extract<NetworkState, { kind: 'ready' }> | undefined;
  /** The pod's resolv.conf once written, and what its DNS policy could not have (events). */
  resolvConf: string | undefined;
  dnsWarnings: PodDnsWarning[] = [];

  constructor(private readonly uid: string, private readonly paths: PodPaths, private readonly deps: NetworkDeps) {}

  /** The pod's IP once settled (undefined while waiting for a pod range). */
  get podIP(): string | undefined { return this.settled?.ip; }
  get sandbox(): PodSandboxView | undefined { return this.settled?.sandbox; }
  get fallback(): string | undefined { return this.settled?.fallback; }

  /**
   * Settles the pod's network (idempotent: the first 'ready' answer stays). `ranBefore`: the pod's containers
   * already ran under a previous agent.
   */
  async ensure(pod: Pod, ranBefore: boolean): Promise<NetworkState> {
    if (this.settled) return this.settled;
    const net = this.deps.network;
    if (pod.spec.hostNetwork) return this.settle({ kind: 'ready', ip: this.deps.nodeIP }, pod);
    if (!('setUp' in net)) return this.settle({ kind: 'ready', ip: this.deps.nodeIP, fallback: hostNetworkBecause(net.unavailable) }, pod);
    const found = net.existing(this.uid);
    if (found) return this.settle(this.withHosts(pod, found), pod);
    if (ranBefore) return this.settle({ kind: 'ready', ip: this.deps.nodeIP, fallback: hostNetworkBecause('its containers were already running on the host network when the agent restarted') }, pod);
    const cidr = this.deps.cidr.current;
    if (!cidr) return { kind: 'waiting', message: `network is not ready: the node has no pod range yet (waiting for ${this.deps.cidr.origin})` };
    try {
      const made = await net.setUp(this.uid, cidr);
      return this.settle(this.withHosts(pod, made), pod);
    } catch (err) {
      return this.settle({ kind: 'ready', ip: this.deps.nodeIP, fallback: hostNetworkBecause(`the pod's sandbox could not be made: ${firstLine(err)}`) }, pod);
    }
  }

  /** Removes the pod's sandbox and frees its IP (a no-op without one). */
  async tearDown(): Promise<void> {
    const net = this.deps.network;
    if ('setUp' in net && !this.settled?.fallback) await net.tearDown(this.uid);
  }

  private withHosts(pod: Pod, ns: PodNetNamespaces): Extract<NetworkState, { kind: 'ready' }> {
    const hostsFile = this.paths.hostsFile;
    // Written once, in place: a bind mount pins the inode, so a later rename would not reach running containers.
    if (!existsSync(hostsFile)) writeFileSync(hostsFile, podHostsFile(pod, ns.ip, this.deps.dns?.clusterDomain || undefined));
    const hostIPC = (pod.spec as { hostIPC?: boolean }).hostIPC === true;
    return { kind: 'ready', ip: ns.ip, sandbox: { ip: ns.ip, netns: ns.netns, ...(hostIPC ? {} : { ipc: ns.ipc }), hostsFile } };
  }

  private settle(s: Extract<NetworkState, { kind: 'ready' }>, pod: Pod): NetworkState {
    this.writeResolvConf(pod);
    this.settled = s;
    return s;
  }

  /** Written once, in place, like the hosts file; also for host-network pods, which may ask for cluster DNS. */
  private writeResolvConf(pod: Pod): void {
    const dns = this.deps.dns;
    if (!dns) return;
    const file = this.paths.resolvConfFile;
    let host = '';
    try { host = dns.hostResolvConf(); } catch { /* no host file: an empty base, as with the kubelet's --resolv-conf="" */ }
    const { conf, warnings } = podResolvConf(pod, dns, parseResolvConf(host));
    this.dnsWarnings = warnings;
    if (!existsSync(file)) writeFileSync(file, formatResolvConf(conf));
    this.resolvConf = file;
  }
}

const hostNetworkBecause = (why: string) => `the pod runs on the host's network and IPC (no network or IPC namespace of its own, podIP is the node's): ${why}`;

function firstLine(err: unknown): string {
  return ((err as Error).message ?? String(err)).trim().split('\n').slice(0, 3).join('; ');
}
