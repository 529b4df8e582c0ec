// What a container may do, as Kubernetes gives it (issue 14.6): the container runtime's default capability set
// (containerd/CRI-O: CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP NET_BIND_SERVICE
// SYS_CHROOT KILL AUDIT_WRITE) with `capabilities.add/drop` applied as containerd's WithCapabilities does (ALL first,
// then single names), every capability for `privileged` (the apiserver decides whether that is allowed),
// no_new_privs for `allowPrivilegeEscalation: false`, runAsUser/runAsGroup, and, for `hostUsers: false` (or the
// agent's --default-host-users=false), a user namespace whose uid/gid U is host id base+U, so the pod's root is an
// unprivileged user on the host.
//
// The result is an argv prefix that the wrapper puts before `env -i -- K=V… <command>` (and container-entry.ts before
// an exec into the container), run with a fixed environment:
//   host users:  setpriv [--reuid=U --regid=G --clear-groups] --bounding-set -all,+… --inh-caps -all [--nnp] --
//   user ns:     setpriv --reuid=B+U --regid=B+G --clear-groups -- unshare --user --map-user=U --map-group=G --
//                  setpriv --bounding-set -all,+… --inh-caps -all [--nnp] --     (bounding set only for U = 0)
// A new user namespace starts with a full bounding set, so the set is applied inside it. Root's capabilities after
// the final execve are its bounding set; a non-root user has none (no ambient capabilities, as in Kubernetes). The
// agent can only do this as root: otherwise containers run as the agent's own user, with nothing to drop.
import type { Container, Pod } from '@podling/api';

export const DEFAULT_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID',
  'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE'];

/** Linux capabilities by number (linux/capability.h, up to CAP_CHECKPOINT_RESTORE = 40). */
export const ALL_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID',
  'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE',
  'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN',
  'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF', 'CHECKPOINT_RESTORE'];

/** Ids of a pod's user namespace: container uid/gid N is host id base+N, for N below this. */
export const USER_NAMESPACE_SIZE = 65536;

export interface SecurityContextOptions {
  /** The agent runs as root (only then can identities and capabilities be set). */
  agentRoot: boolean;
  /** Whether pods that do not set hostUsers share the host's users (the agent's --default-host-users). */
  defaultHostUsers: boolean;
  /** The container gets a mount namespace of its own (where `/` can be made read-only). */
  mountNamespace: boolean;
  /** The pod's user-namespace base host id, allocated on first use; undefined when none is free. */
  userNamespaceBase: () => number | undefined;
}

export interface SecurityPlan {
  /** The argv prefix (ending in `--`) that runs the rest with the container's identity and capabilities. */
  prefix: string[];
  /** The container's uid and gid as the host sees them, when the agent sets them. */
  hostIdentity?: { uid: number; gid: number };
  /** What the node could not honour, for an event. */
  notHonoured: string[];
}

export type SecurityResult = { plan: SecurityPlan; configError?: undefined } | { configError: string };

/** The bounding set for a container: the default set, or all for privileged, with add/drop applied. */
export function containerCapabilities(c: Container): string[] | { configError: string } {
  const sc = c.securityContext;
  if (sc?.privileged) return [...ALL_CAPABILITIES];
  const norm = (n: string) => n.toUpperCase().replace(/^CAP_/, '');
  const add = (sc?.capabilities?.add ?? []).map(norm);
  const drop = (sc?.capabilities?.drop ?? []).map(norm);
  const unknown = [...add, ...drop].filter((n) => n !== 'ALL' && !ALL_CAPABILITIES.includes(n));
  if (unknown.length > 0) return { configError: `unknown capability ${JSON.stringify(unknown[0])} in securityContext.capabilities` };
  let caps = new Set(DEFAULT_CAPABILITIES);
  if (add.includes('ALL')) caps = new Set(ALL_CAPABILITIES);
  if (drop.includes('ALL')) caps = new Set();
  for (const n of add) if (n !== 'ALL') caps.add(n);
  for (const n of drop) caps.delete(n);
  return ALL_CAPABILITIES.filter((n) => caps.has(n));
}

export function planSecurity(c: Container, pod: Pod, runAs: { uid: number; gid: number } | undefined, o: SecurityContextOptions): SecurityResult {
  const sc = c.securityContext;
  const caps = containerCapabilities(c);
  if (!Array.isArray(caps)) return caps;
  const privileged = sc?.privileged === true;
  const nnp = sc?.allowPrivilegeEscalation === false && !privileged;
  const hostUsers = (pod.spec.hostUsers as boolean | undefined) ?? o.defaultHostUsers;
  const notHonoured: string[] = [];
  if (sc?.readOnlyRootFilesystem && !o.mountNamespace) {
    notHonoured.push('readOnlyRootFilesystem: the agent has no mount namespace for the container (it does not run as root), so the host\'s file system stays writable as far as the container\'s user allows');
  }
  if (!o.agentRoot) {
    if (privileged) notHonoured.push('privileged: the agent does not run as root, so the container runs as the agent\'s user without capabilities');
    if (!hostUsers) notHonoured.push('hostUsers: false: the agent does not run as root and cannot make a user namespace; the container runs as the agent\'s own, unprivileged user');
    return { plan: { prefix: nnp ? ['setpriv', '--nnp', '--'] : [], notHonoured } };
  }
  const bounding = ['--bounding-set', ['-all', ...caps.map((n) => `+${n.toLowerCase()}`)].join(','), '--inh-caps', '-all'];
  const tail = [...(nnp ? ['--nnp'] : []), '--'];
  if (hostUsers) {
    const id = runAs ? [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups'] : [];
    const restrict = privileged ? [] : bounding;
    const prefix = id.length + restrict.length + tail.length > 1 ? ['setpriv', ...id, ...restrict, ...tail] : [];
    return { plan: { prefix, hostIdentity: runAs, notHonoured } };
  }
  if (privileged) return { configError: 'a privileged container cannot run in a user namespace (hostUsers: false)' };
  const uid = runAs?.uid ?? 0;
  const gid = runAs?.gid ?? 0;
  if (uid >= USER_NAMESPACE_SIZE || gid >= USER_NAMESPACE_SIZE) {
    return { configError: `runAsUser/runAsGroup must be below ${USER_NAMESPACE_SIZE} in a user namespace (hostUsers: false)` };
  }
  const base = o.userNamespaceBase();
  if (base === undefined) return { configError: 'no free user-namespace id range on this node for hostUsers: false' };
  const host = { uid: base + uid, gid: base + gid };
  const prefix = [
    'setpriv', `--reuid=${host.uid}`, `--regid=${host.gid}`, '--clear-groups', '--',
    'unshare', '--user', `--map-user=${uid}`, `--map-group=${gid}`, '--',
    ...(uid === 0 ? ['setpriv', ...bounding, ...tail] : nnp ? ['setpriv', ...tail] : []),
  ];
  return { plan: { prefix, hostIdentity: host, notHonoured } };
}
