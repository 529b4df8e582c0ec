// Names of what a pod sandbox makes outside the agent's root dir, all derived from a tag of the agent (its node
// name and root dir), so that several agents on one machine never collide and a leftover is recognisable as
// Podling's and as whose:
//   bridge  podling<tag>                         (15 chars: Linux allows IFNAMSIZ-1)
//   netns   /run/netns/podling-<tag>-<pod uid>   (pinned where `ip netns` pins, as containerd's cni-<id>)
//   veth    vpl<12 hex of tag+uid>               host end; the pod end is eth0 inside the netns
//   ipc     <root>/sandboxes/<pod uid>.ipc       the pod's IPC namespace, bind-mounted by podling-nsexec
import { createHash } from 'node:crypto';
import path from 'node:path';
import { safeUid } from './pod-paths.ts';

export const NETNS_DIR = '/run/netns';

const hex = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);

export class SandboxNames {
  readonly tag: string;
  readonly bridge: string;
  readonly sandboxesDir: string;

  constructor(nodeName: string, rootDir: string) {
    this.tag = hex(`${nodeName}\0${rootDir}`, 8);
    this.bridge = `podling${this.tag}`;
    this.sandboxesDir = path.join(rootDir, 'sandboxes');
  }

  /** `ip netns` name of the pod's network namespace. */
  netnsName(uid: string): string { return `podling-${this.tag}-${safeUid(uid)}`; }
  netnsPath(uid: string): string { return path.join(NETNS_DIR, this.netnsName(uid)); }
  veth(uid: string): string { return `vpl${hex(`${this.tag}/${uid}`, 12)}`; }
  ipcPath(uid: string): string { return path.join(this.sandboxesDir, `${safeUid(uid)}.ipc`); }

  /** The pod UID a /run/netns entry of this agent names, else undefined (another agent's, or not Podling's). */
  uidOfNetns(entry: string): string | undefined {
    const prefix = `podling-${this.tag}-`;
    return entry.startsWith(prefix) ? entry.slice(prefix.length) : undefined;
  }
}
