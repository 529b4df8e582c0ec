// What the Node says about its service proxy: a condition `ServiceProxyUnavailable` (True while ClusterIPs and
// NodePorts do not work on this node, like the NetworkUnavailable condition network plugins set), and a Warning
// event on the Node each time the proxy stops working, with the reason — an agent without root keeps running pods,
// and this is where its users read why Services do not answer there.
import type { NodeConditionTemplate } from './node-object.ts';

export const PROXY_CONDITION = 'ServiceProxyUnavailable';

/** Why this agent cannot program the proxy at all, or undefined when it can try. */
export function proxyUnavailableReason(uid: number | undefined, nftVersion: string | undefined): string | undefined {
  if (uid !== 0) return `the agent runs as uid ${uid ?? 'unknown'}, and the service proxy programs nftables, which needs root: ClusterIPs and NodePorts do not work on this node`;
  if (nftVersion === undefined) return '`nft` (Debian package nftables) is not installed: ClusterIPs and NodePorts do not work on this node';
  return undefined;
}

export class ServiceProxyCondition {
  private problem: string | undefined = 'the service proxy has not synced its rules yet';
  private warned: string | undefined;

  constructor(private readonly table: string, private readonly warn: (reason: string, message: string) => void,
    private readonly changed: () => void = () => {}) {}

  /** undefined: the rules are in place; else why ClusterIPs do not work here. */
  set(problem: string | undefined): void {
    const changed = problem !== this.problem;
    this.problem = problem;
    if (changed) this.changed();
    if (problem && problem !== this.warned) this.warn(PROXY_CONDITION, problem);
    this.warned = problem;
  }

  template(): NodeConditionTemplate {
    return this.problem
      ? { type: PROXY_CONDITION, status: 'True', reason: 'ServiceProxyNotProgrammed', message: this.problem }
      : { type: PROXY_CONDITION, status: 'False', reason: 'ServiceProxyProgrammed', message: `Service rules are in nftables table ip ${this.table}` };
  }
}
