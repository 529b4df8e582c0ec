// Turns a container spec into a Launch for the process runtime: argv with $(VAR) expansion, environment,
// working directory, and volume mounts. Problems the kubelet reports as CreateContainerConfigError come back as a
// `configError` instead of a Launch. Volumes are bind-mounted at their mountPath only inside the container's
// private mount namespace, and only over a directory that already exists; otherwise the mountPath is reported as
// not honoured. PODLING_VOLUME_<NAME> is always set: the mountPath when mounted, else the volume's host directory.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Container, Pod } from '@podling/api';
import { buildContainerEnv, EnvError } from './container-env.ts';
import { expandCommand } from './env-expansion.ts';
import type { BindMount } from './container-wrapper.ts';
import type { Launch } from './process-runtime.ts';
import type { PodSandboxView } from './pod-sandbox-network.ts';
import { planSecurity } from './container-security.ts';
import { isSafeMountPath, podHostname, type PodPaths } from './pod-paths.ts';

export interface LaunchContext {
  pod: Pod;
  paths: PodPaths;
  nodeIP: string;
  /** Root with unshare: UTS + private mount namespaces. */
  namespaces: boolean;
  mountBin: string;
  /** The agent's own uid; only root can start a process as another user. Defaults to process.getuid(). */
  agentUid?: number;
  /** Pods without hostUsers share the host's users (the agent's --default-host-users); default true. */
  defaultHostUsers?: boolean;
  /** Service environment variables for this pod's containers (service-env.ts); none by default. */
  serviceEnv?: () => Record<string, string>;
  /** The pod's user-namespace base host id (user-namespace-ids.ts); none by default. */
  userNamespaceBase?: () => number | undefined;
  /** The pod's network + IPC sandbox (pod-network.ts) and its /etc/hosts; none: the host's network and IPC. */
  sandbox?: PodSandboxView;
  /** The pod's /etc/resolv.conf (pod-resolv-conf.ts); none: the host's. */
  resolvConf?: string;
  /** The cgroup.procs files of a running instance, which a command run inside it joins; none by default. */
  instanceCgroups?: (container: string, index: number) => string[];
}

export type LaunchPlan =
  | { launch: Launch; unhonoured: string[]; notHonoured: string[]; configError?: undefined }
  | { configError: string };

/** The agent's uid, read once: a planned launch asked the kernel for it per container, ~0.5% of the time of a
 *  process of 1,000 hollow nodes (issue 18). */
const AGENT_UID = process.getuid?.() ?? -1;

export const NO_COMMAND = 'container has no command and no args: podling runs no images, so there is no entrypoint or default command to fall back to; set command or args';

/**
 * What the container runs: command then args; args alone when there is no command, as for an image without an
 * ENTRYPOINT (busybox, debian, alpine), which is what `kubectl run x --image=busybox -- sh -c '…'` relies on.
 */
export function containerArgv(c: Container): string[] {
  return [...(c.command ?? []), ...(c.args ?? [])];
}

export function planLaunch(c: Container, index: number, ctx: LaunchContext): LaunchPlan {
  const argv = containerArgv(c);
  if (argv.length === 0) return { configError: NO_COMMAND };
  const volumes = new Map((ctx.pod.spec.volumes ?? []).map((v) => [v.name, v]));
  const mounts: BindMount[] = [];
  const unhonoured: string[] = [];
  const volumeDirs: Record<string, string> = {};
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) return { configError: `volumeMount ${JSON.stringify(m.name)} names no volume of the pod` };
    if (!v.emptyDir) return { configError: `volume ${JSON.stringify(m.name)}: only emptyDir volumes are supported` };
    let dir = ctx.paths.emptyDir(m.name);
    if (m.subPath) {
      if (path.isAbsolute(m.subPath) || m.subPath.split('/').includes('..')) return { configError: `volumeMount ${JSON.stringify(m.name)}: invalid subPath` };
      dir = path.join(dir, m.subPath);
      mkdirSync(dir, { recursive: true });
    }
    if (ctx.namespaces && isSafeMountPath(m.mountPath) && isDirectory(m.mountPath)) {
      mounts.push({ source: dir, target: m.mountPath, readOnly: m.readOnly === true });
      volumeDirs[m.name] = m.mountPath;
    } else {
      unhonoured.push(m.mountPath);
      volumeDirs[m.name] = dir;
    }
  }
  // The pod's /etc/hosts and /etc/resolv.conf, unless the container mounts something there itself (as the kubelet
  // decides).
  const podFiles: BindMount[] = [];
  if (ctx.sandbox && ctx.namespaces && !mounts.some((m) => m.target === '/etc/hosts')) {
    podFiles.push({ source: ctx.sandbox.hostsFile, target: '/etc/hosts', readOnly: false });
  }
  // A bind mount needs its target: a host without /etc/resolv.conf leaves the pod's unmounted rather than unstartable.
  if (ctx.resolvConf && ctx.namespaces && !mounts.some((m) => m.target === '/etc/resolv.conf') && existsSync('/etc/resolv.conf')) {
    podFiles.push({ source: ctx.resolvConf, target: '/etc/resolv.conf', readOnly: false });
  }
  // A mount over an ancestor of the agent's root dir would hide the sources of the mounts after it: those go last.
  const shadows = (t: string) => ctx.paths.root === t || ctx.paths.root.startsWith(`${t}/`);
  mounts.sort((a, b) => Number(shadows(a.target)) - Number(shadows(b.target)));
  const hostname = podHostname(ctx.pod.metadata.name!, ctx.pod.spec.hostname);
  let env: Record<string, string>;
  try {
    env = buildContainerEnv(c, { pod: ctx.pod, hostname, nodeIP: ctx.nodeIP, podIP: ctx.sandbox?.ip, volumeDirs, serviceEnv: ctx.serviceEnv?.() });
  } catch (e) {
    if (e instanceof EnvError) return { configError: e.message };
    throw e;
  }
  const runAs = identity(c, ctx);
  if (runAs && 'configError' in runAs) return runAs;
  const agentRoot = (ctx.agentUid ?? AGENT_UID) === 0;
  const security = planSecurity(c, ctx.pod, runAs, {
    agentRoot, mountNamespace: ctx.namespaces, defaultHostUsers: ctx.defaultHostUsers ?? true, userNamespaceBase: ctx.userNamespaceBase ?? (() => undefined),
  });
  if (security.configError !== undefined) return { configError: security.configError };
  const workingDir = c.workingDir || ctx.paths.workDir;
  return {
    unhonoured,
    notHonoured: security.plan.notHonoured,
    launch: {
      securityPrefix: security.plan.prefix,
      readOnlyRoot: ctx.namespaces && c.securityContext?.readOnlyRootFilesystem === true,
      argv: expandCommand(argv, env),
      env,
      workingDir,
      exitFile: ctx.paths.exitFile(c.name, index),
      stdoutFifo: ctx.paths.fifo(c.name, 'stdout'),
      stderrFifo: ctx.paths.fifo(c.name, 'stderr'),
      hostname: ctx.namespaces ? hostname : '',
      mountBin: ctx.mountBin,
      runAs,
      mounts,
      podFiles,
      namespaces: ctx.namespaces,
      ...(ctx.sandbox && ctx.namespaces ? { sandbox: { netns: ctx.sandbox.netns, ...(ctx.sandbox.ipc ? { ipc: ctx.sandbox.ipc } : {}) } } : {}),
    },
  };
}

function isDirectory(p: string): boolean {
  try { return existsSync(p) && statSync(p).isDirectory(); } catch { return false; }
}

/** runAsUser/runAsGroup (container's, else the pod's): the identity for the wrapper, undefined when unset, or a
 *  config error when the agent is not root and cannot become that user. An unset part is 0, as for an image
 *  without a USER. */
function identity(c: Container, ctx: LaunchContext): { uid: number; gid: number } | { configError: string } | undefined {
  const uid = c.securityContext?.runAsUser ?? ctx.pod.spec.securityContext?.runAsUser;
  const gid = c.securityContext?.runAsGroup ?? ctx.pod.spec.securityContext?.runAsGroup;
  if (uid === undefined && gid === undefined) return undefined;
  const agentUid = ctx.agentUid ?? AGENT_UID;
  if (agentUid !== 0) {
    return { configError: `cannot run as ${uid !== undefined ? `user ${uid}` : ''}${uid !== undefined && gid !== undefined ? ' and ' : ''}${gid !== undefined ? `group ${gid}` : ''}: the agent runs as uid ${agentUid}, and only an agent running as root can start containers as another user (securityContext.runAsUser/runAsGroup)` };
  }
  return { uid: uid ?? 0, gid: gid ?? 0 };
}
