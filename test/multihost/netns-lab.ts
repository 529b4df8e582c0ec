// A private network for one multi-host test run: a switch (a Linux bridge in its own network namespace) and one
// namespace per "machine", each joined to the switch by a veth pair and given 10.77.0.<n>/24. Nothing is added to
// the root namespace: each run gets its own bridge namespace, so parallel runs reuse the same subnet without
// clashing, and the only names they share (/run/netns) carry the run's pid and a random suffix.
//
// Namespace names are `plmh-<pid>-<suffix>-<role>`; `sweepStaleLabs()` deletes those whose creating process is dead
// (a run killed with -9 cannot clean up after itself), with whatever still runs inside them.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';

export const SUBNET_PREFIX = '10.77.0.';
const NAME_PREFIX = 'plmh-';

export interface LabHost {
  /** Role name given to `createLab`, e.g. "api". */
  role: string;
  /** The network namespace the host's processes run in (`ip netns exec <ns> …`). */
  ns: string;
  ip: string;
  /** The switch-side end of the host's veth pair: setting it down is pulling the machine's cable. */
  switchPort: string;
}

export interface Lab {
  readonly hosts: Record<string, LabHost>;
  /** Every namespace the lab created, the switch's included. */
  readonly namespaces: string[];
  /** Takes the host's link down at the switch: its packets are dropped silently, as with a pulled cable. */
  cut(role: string): void;
  restore(role: string): void;
  /** Deletes every namespace (and with them the bridge and veths). Synchronous and idempotent, for exit handlers. */
  destroy(): void;
}

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
}

/** Creates the switch and one host per role, addressed 10.77.0.1, .2, … in the given order. */
export function createLab(roles: string[]): Lab {
  const run = `${NAME_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  const switchNs = `${run}-sw`;
  const namespaces: string[] = [];
  const hosts: Record<string, LabHost> = {};
  let destroyed = false;
  const lab: Lab = {
    hosts, namespaces,
    cut: (role) => { ip('-n', switchNs, 'link', 'set', hosts[role].switchPort, 'down'); },
    restore: (role) => { ip('-n', switchNs, 'link', 'set', hosts[role].switchPort, 'up'); },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const ns of [...namespaces].reverse()) deleteNamespace(ns);
    },
  };
  try {
    ip('netns', 'add', switchNs);
    namespaces.push(switchNs);
    ip('-n', switchNs, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', switchNs, 'link', 'set', 'br0', 'up');
    roles.forEach((role, i) => {
      const ns = `${run}-${role}`;
      const hostIP = `${SUBNET_PREFIX}${i + 1}`;
      const switchPort = `port-${role}`.slice(0, 15);
      ip('netns', 'add', ns);
      namespaces.push(ns);
      // Created from inside the host namespace, with the peer placed straight into the switch's: the root
      // namespace never sees either end.
      ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', switchPort, 'netns', switchNs);
      ip('-n', switchNs, 'link', 'set', switchPort, 'master', 'br0');
      ip('-n', switchNs, 'link', 'set', switchPort, 'up');
      ip('-n', ns, 'addr', 'add', `${hostIP}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      hosts[role] = { role, ns, ip: hostIP, switchPort };
    });
  } catch (e) {
    lab.destroy();
    throw e;
  }
  return lab;
}

/** Deletes lab namespaces left by runs whose process no longer exists. */
export function sweepStaleLabs(): string[] {
  let names: string[];
  try { names = readdirSync('/run/netns'); } catch { return []; }
  const swept: string[] = [];
  for (const name of names) {
    const m = /^plmh-(\d+)-[0-9a-f]+-/.exec(name);
    if (!m || pidAlive(Number(m[1]))) continue;
    deleteNamespace(name);
    swept.push(name);
  }
  return swept;
}

/**
 * SIGKILLs every process still in the namespace (a process keeps a deleted namespace, and its addresses, alive),
 * then deletes it. Pod processes are in their agent's namespace, so this also catches what agents leave behind.
 */
function deleteNamespace(ns: string): void {
  let pids: string[] = [];
  try { pids = ip('netns', 'pids', ns).split('\n').filter((p) => /^\d+$/.test(p)); } catch { /* already gone */ }
  for (const pid of pids) {
    try { process.kill(Number(pid), 'SIGKILL'); } catch { /* exited meanwhile */ }
  }
  try { ip('netns', 'del', ns); } catch { /* already gone, or raced with another sweeper */ }
}

export function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}
