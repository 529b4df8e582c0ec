// The node's Linux bridge, the pods' L2 segment (CNI's bridge plugin with isGateway): it carries the pod range's
// gateway address, so the host reaches every pod directly and pods route everything else through it.
// Made on first need (the pod range may only arrive with the Node's spec.podCIDR), kept while the agent runs, and
// removed on a clean agent shutdown only when no pod is attached: pods that keep running across an agent restart
// keep their network.
import type { PodCidr } from './pod-cidr.ts';

/** Runs a shell script as root; rejects with its output on a non-zero exit. */
export type RunScript = (script: string) => Promise<void>;

export class NodeBridge {
  private ready: Promise<void> | undefined;
  private cidr: PodCidr | undefined;

  constructor(readonly name: string, private readonly run: RunScript) {}

  /** Makes sure the bridge exists, is up and carries the gateway of `cidr` (idempotent; concurrent calls share). */
  ensure(cidr: PodCidr): Promise<void> {
    if (this.ready && this.cidr?.text === cidr.text) return this.ready;
    this.cidr = cidr;
    const b = this.name;
    this.ready = this.run([
      `ip link show ${b} >/dev/null 2>&1 || ip link add ${b} type bridge`,
      `ip addr replace ${cidr.gateway}/${cidr.prefix} dev ${b}`,
      `ip link set ${b} up`,
    ].join(' && '));
    this.ready.catch(() => { this.ready = undefined; });
    return this.ready;
  }

  /** Deletes the bridge when no interface is attached to it any more. */
  removeIfUnused(): Promise<void> {
    const b = this.name;
    return this.run(`if ip link show ${b} >/dev/null 2>&1 && [ -z "$(ip -o link show master ${b})" ]; then ip link del ${b}; fi`);
  }
}
