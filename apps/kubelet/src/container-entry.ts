// How to run a command inside a running container (kubectl exec, attach's neighbours, preStop/postStart exec hooks,
// exec probes): one argv that joins the container's namespaces, becomes its user and starts the command with its
// environment in its working directory. Every caller goes through here, so "inside the container" means one thing.
//
//   podling-nsexec --cgroup <the instance's cgroup.procs>… --                                     (as root)
//   nsenter --target <wrapper pid> --<each namespace the wrapper has that the agent has not> --   (as root)
//     <security prefix: setpriv/unshare with the container's identity, capabilities, user namespace>
//       env -i --chdir=<workingDir> -- K=V… <command…>                                           (as the user)
//
// - Namespaces are found by comparing /proc/<pid>/ns/* with the agent's own, so whatever the container has (UTS and
//   mount today; network, IPC, PID or a user namespace once the sandbox provides them) is entered without this
//   module changing.
// - The command joins the instance's cgroups first, as runc exec does: its memory and CPU count against the
//   container's limits, and deleting the pod kills it with the rest of the container.
// - The root-run steps (nsexec, nsenter, setpriv) get a fixed minimal environment: a pod's LD_PRELOAD or PATH must never
//   reach a program that runs as root. The container's environment is applied by `env -i` only after the identity
//   is dropped. Its values appear in env's argv for the moment before it execs the command; they are the pod
//   spec's own values (readable by anyone who can read the pod), never credentials of the agent.
// - The working directory is entered by `env --chdir` inside the mount namespace, so a workingDir that is a volume
//   mountPath resolves to the volume, as it does for the container's own process.
// - A missing command exits 127 and a non-executable one 126 (GNU env), as a shell would report them.
import { readlinkSync } from 'node:fs';
import type { Container } from '@podling/api';
import { planLaunch, type LaunchContext } from './container-launcher.ts';
import { finalExec, WRAPPER_ENV } from './container-wrapper.ts';
import { NSEXEC } from './nsexec.ts';

/** Namespaces nsenter can join, by /proc/<pid>/ns name → nsenter flag. `user` first: the rest may need it. */
const NAMESPACES: [string, string][] = [
  ['user', '--user'], ['mnt', '--mount'], ['uts', '--uts'], ['ipc', '--ipc'], ['net', '--net'], ['pid', '--pid'], ['cgroup', '--cgroup'],
];

/** A ready-to-spawn command line: `file` with `args`, spawned with exactly `env` (no other environment). */
export interface EntryCommand { file: string; args: string[]; env: Record<string, string> }

export interface EntryTarget {
  container: Container;
  /** Restart index of the running instance (names its files; see container-launcher). */
  index: number;
  /** Pid of the running instance's wrapper, whose namespaces the command joins. */
  pid: number;
}

export type EntryPlan = { command: EntryCommand; configError?: undefined } | { configError: string };

/**
 * The command line that runs `argv` inside the container instance `t`. `ctx` is the one the instance was launched
 * with (same pod object, paths, node IP, namespaces flag), so environment, working directory and identity are those
 * of the container's own process. A config error (e.g. an unresolvable fieldRef) comes back as `configError`.
 */
export function containerEntry(t: EntryTarget, ctx: LaunchContext, argv: string[]): EntryPlan {
  const plan = planLaunch(t.container, t.index, ctx);
  if (plan.configError !== undefined) return { configError: plan.configError };
  const { workingDir } = plan.launch;
  const cgroups = ctx.namespaces ? ctx.instanceCgroups?.(t.container.name, t.index) ?? [] : [];
  const flags = ctx.namespaces ? namespaceFlags(t.pid) : [];
  // A namespaced container always has a mount namespace of its own: a process without one has not finished its
  // setup (or is gone), and entering "its" namespaces would mean the host's.
  if (ctx.namespaces && !flags.includes('--mount')) return { configError: `container ${t.container.name} is not running in its namespaces (process ${t.pid} is still starting or gone)` };
  const chain = [
    ...(cgroups.length ? [NSEXEC, ...cgroups.flatMap((f) => ['--cgroup', f]), '--'] : []),
    ...(ctx.namespaces ? ['nsenter', '--target', String(t.pid), ...flags, '--'] : []),
    ...finalExec(plan.launch, [`--chdir=${workingDir}`], argv),
  ];
  const [file, ...args] = chain;
  return { command: { file, args, env: { ...WRAPPER_ENV } } };
}

/** nsenter flags for the namespaces `pid` has and the agent does not share. */
export function namespaceFlags(pid: number, self: string | number = 'self'): string[] {
  const flags: string[] = [];
  for (const [ns, flag] of NAMESPACES) {
    const theirs = link(`/proc/${pid}/ns/${ns}`);
    if (theirs !== undefined && theirs !== link(`/proc/${self}/ns/${ns}`)) flags.push(flag);
  }
  return flags;
}

function link(p: string): string | undefined {
  try { return readlinkSync(p); } catch { return undefined; }
}
