// The node's pod networks (as CNI's bridge + host-local plugins, and containerd's sandbox netns): per pod a network
// namespace with loopback up and eth0, one end of a veth pair whose host end is on the node bridge, an address
// from the node's pod range and a default route via the bridge's gateway; and an IPC namespace. Both namespaces
// are pinned by bind mounts (sandbox-names.ts), so they outlive the agent: a restarted agent finds the sandbox of
// a running pod by its netns and its IPAM file, and tears down every sandbox whose pod is gone.
//
// Every operation is idempotent and tolerates "already gone", like CNI's DEL: a crash at any step is repaired by
// running tearDown (or reclaim) again. eth0 is deleted before the netns: a container's private mount namespace may
// hold a copy of the netns mount, which would keep the namespace (and so the veth) alive after `ip netns del`.
import { execFile } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { IpAllocator } from './ip-allocator.ts';
import { NodeBridge, type RunScript } from './node-bridge.ts';
import type { PodCidr } from './pod-cidr.ts';
import { NETNS_DIR, SandboxNames } from './sandbox-names.ts';

/** A pod's sandbox as containers join it. */
export interface PodNetNamespaces { ip: string; netns: string; ipc: string }

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class PodNetwork {
  readonly names: SandboxNames;
  readonly bridge: NodeBridge;
  private readonly ipam: IpAllocator;

  constructor(nodeName: string, rootDir: string, private readonly run: RunScript) {
    this.names = new SandboxNames(nodeName, rootDir);
    this.bridge = new NodeBridge(this.names.bridge, run);
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
    await this.tearDown(uid, false);
    await this.bridge.ensure(cidr);
    const ip = this.ipam.allocate(uid, cidr);
    const n = this.namespaces(uid, ip);
    const ns = this.names.netnsName(uid);
    const veth = this.names.veth(uid);
    try {
      await this.run([
        'set -e',
        `ip -batch - <<EOF\nnetns add ${ns}\nlink add ${veth} type veth peer name eth0 netns ${ns}\nlink set ${veth} master ${this.bridge.name} up\nEOF`,
        `ip -n ${ns} -batch - <<EOF\nlink set lo up\naddr add ${ip}/${cidr.prefix} dev eth0\nlink set eth0 up\nroute add default via ${cidr.gateway}\nEOF`,
        `mkdir -p ${quote(this.names.sandboxesDir)}`,
        `: > ${quote(n.ipc)}`,
        `unshare --ipc=${quote(n.ipc)} true`,
      ].join('\n'));
    } catch (err) {
      await this.tearDown(uid).catch(() => {});
      throw err;
    }
    return n;
  }

  /** Removes the pod's eth0/veth, netns, IPC namespace and (unless `release` is false) its IP. */
  async tearDown(uid: string, release = true): Promise<void> {
    const ipc = quote(this.names.ipcPath(uid));
    const ns = this.names.netnsName(uid);
    await this.run([
      `ip -n ${ns} link del eth0 2>/dev/null`,
      `ip netns del ${ns} 2>/dev/null`,
      `umount ${ipc} 2>/dev/null`,
      `rm -f ${ipc}`,
      'true',
    ].join('; '));
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
    const run: RunScript = (script) => new Promise((resolve, reject) =>
      execFile('/bin/sh', ['-c', script], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${stderr}${stdout}`.trim() || err.message)) : resolve())));
    const net = new PodNetwork(nodeName, rootDir, run);
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
