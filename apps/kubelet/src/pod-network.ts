// The node's pod networks (as CNI's bridge + host-local plugins, and containerd's sandbox netns): per pod a network
// namespace with loopback up and eth0, one end of a veth pair whose host end is on the node bridge, an address
// from the node's pod range and a default route via the bridge's gateway; and an IPC namespace. Both namespaces
// are pinned by bind mounts (sandbox-names.ts), so they outlive the agent: a restarted agent finds the sandbox of
// a running pod by its netns and its IPAM file, and tears down every sandbox whose pod is gone.
//
// Every operation is idempotent and tolerates "already gone", like CNI's DEL: a crash at any step is repaired by
// running tearDown (or reclaim) again. The veth is deleted explicitly rather than with the netns, so the network is
// gone at once even if something still holds the namespace.
//
// Making or removing a sandbox is one run of podling-nsexec's steps (rtnetlink and mount syscalls) rather than a
// chain of `ip`, `unshare`, `mount`: each exec of a dynamically linked tool costs ~1 ms of CPU, and a node starting
// many pods at once is CPU-bound (bench/pod-startup measures the sandbox's cost against hostNetwork pods). The agent
// runs the steps in its long-lived podling-nsexec (nsexec-server.ts), so a sandbox costs no exec at all.
import { readdirSync, existsSync } from 'node:fs';
import { execHostCommands, type HostCommands } from './host-commands.ts';
import { IpAllocator } from './ip-allocator.ts';
import { NodeBridge } from './node-bridge.ts';
import type { PodCidr } from './pod-cidr.ts';
import { NETNS_DIR, SandboxNames } from './sandbox-names.ts';

/** A pod's sandbox as containers join it. */
export interface PodNetNamespaces { ip: string; netns: string; ipc: string }

export class PodNetwork {
  readonly names: SandboxNames;
  readonly bridge: NodeBridge;
  private readonly ipam: IpAllocator;

  constructor(nodeName: string, rootDir: string, private readonly host: HostCommands) {
    this.names = new SandboxNames(nodeName, rootDir);
    this.bridge = new NodeBridge(this.names.bridge, (script) => host.script(script));
    this.ipam = new IpAllocator(rootDir);
  }

  /** The sandbox of pod `uid` when it is already whole (made by this or a previous agent), else undefined. */
  existing(uid: string): PodNetNamespaces | undefined {
    const ip = this.ipam.find(uid);
    const n = this.namespaces(uid, ip ?? '');
    return ip && existsSync(n.netns) && existsSync(n.ipc) ? n : undefined;
  }

  /** Makes the pod's sandbox in `cidr`; a partial one is torn down first. Rejects with what failed. */
  async setUp(uid: string, cidr: PodCidr): Promise<PodNetNamespaces> {
    const found = this.existing(uid);
    if (found) return found;
    // A partial one: what a crash can leave is held by a pin (the veth lives only as long as its netns).
    if (existsSync(this.names.netnsPath(uid)) || existsSync(this.names.ipcPath(uid))) await this.tearDown(uid, false);
    await this.bridge.ensure(cidr);
    const ip = this.ipam.allocate(uid, cidr);
    const n = this.namespaces(uid, ip);
    const veth = this.names.veth(uid);
    try {
      await this.host.steps(['--mkdir', this.names.sandboxesDir, '--new-ipc', n.ipc, '--new-net', n.netns,
        '--veth', 'eth0', veth, '--no-ipv6', 'eth0', '--up', 'lo', '--addr', 'eth0', `${ip}/${cidr.prefix}`, '--up', 'eth0',
        '--route-default', cidr.gateway, '--setns-host', '--no-ipv6', veth, '--master', veth, this.bridge.name, '--hairpin', veth]);
    } catch (err) {
      await this.tearDown(uid).catch(() => {});
      throw err;
    }
    return n;
  }

  /**
   * Removes the pod's veth, netns, IPC namespace and (unless `release` is false) its IP. Never rejects: what could
   * not be removed keeps its pin and its IP (so the address is not handed out while in use), and the next
   * reclaim finds it by that pin and tries again.
   */
  async tearDown(uid: string, release = true): Promise<void> {
    try {
      await this.host.steps(['--link-del', this.names.veth(uid), '--umount', this.names.netnsPath(uid), '--umount', this.names.ipcPath(uid)]);
    } catch {
      return;
    }
    if (release) this.ipam.release(uid);
  }

  /** Pod UIDs with anything of a sandbox on this node: a netns, an IPC pin or an IP. */
  sandboxes(): Set<string> {
    const uids = this.ipam.holders();
    for (const e of list(NETNS_DIR)) { const u = this.names.uidOfNetns(e); if (u) uids.add(u); }
    for (const e of list(this.names.sandboxesDir)) if (e.endsWith('.ipc')) uids.add(e.slice(0, -4));
    return uids;
  }

  /** Tears down every sandbox whose pod `keep` does not claim (after an agent restart). Returns their UIDs. */
  async reclaim(keep: (uid: string) => boolean): Promise<string[]> {
    const gone = [...this.sandboxes()].filter((u) => !keep(u));
    for (const uid of gone) await this.tearDown(uid);
    return gone;
  }

  /**
   * Removes every sandbox and the bridge of the agent at `rootDir` (tests, after stopping an agent, which leaves
   * its pods and their sandboxes running); the pods' processes must be gone already.
   */
  static async removeAll(nodeName: string, rootDir: string): Promise<void> {
    if (process.getuid?.() !== 0) return;
    const net = new PodNetwork(nodeName, rootDir, execHostCommands);
    await net.reclaim(() => false);
    await net.bridge.removeIfUnused();
  }

  private namespaces(uid: string, ip: string): PodNetNamespaces {
    return { ip, netns: this.names.netnsPath(uid), ipc: this.names.ipcPath(uid) };
  }
}

function list(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}
