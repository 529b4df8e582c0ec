// The agent's on-disk layout under --root-dir, and the checks that keep names from a pod spec from escaping it.
// Nothing outside the root dir is ever created from a pod's fields.
//
//   <root>/pods/<uid>/state.json                              PodRecord (pod-state-store.ts)
//   <root>/pods/<uid>/workdir/                                default workingDir of the pod's containers
//   <root>/pods/<uid>/volumes/kubernetes.io~empty-dir/<vol>/  emptyDir volumes
//   <root>/pods/<uid>/<c>.std{out,err}.fifo                   container c's stdout/stderr (log-pump.ts)
//   <root>/pods/<uid>/<c>.stdin.fifo                          container c's stdin, with `stdin: true` (attach)
//   <root>/pods/<uid>/<c>.<n>.log[.1]                         CRI-format log of instance n (and its rotated part)
//   <root>/pods/<uid>/<c>.<n>.exit                            exit code written by the wrapper of instance n
//   <root>/pods/<uid>/etc-hosts                               the pod's /etc/hosts (pod-hosts-file.ts)
//   <root>/pods/<uid>/resolv.conf                             the pod's /etc/resolv.conf (pod-resolv-conf.ts)
//
// Container files lie in the pod directory itself, not in a directory per container: each directory is one more
// inode to create per pod, the costly part of starting one (up to ~0.5 ms each on a journal-less ext4 that has
// recently deleted inodes). Names cannot collide: container names are DNS labels (no dots), and every container
// file has two dots with `stdout`, `stderr` or a number in the middle.
import path from 'node:path';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const UID = /^[A-Za-z0-9][-A-Za-z0-9_]*$/;

export class UnsafeNameError extends Error {}

function check(kind: string, value: string | undefined, re: RegExp, max: number): string {
  if (!value || value.length > max || !re.test(value) || value.includes('..') || value.includes('/')) {
    throw new UnsafeNameError(`${kind} ${JSON.stringify(value)} cannot be used as a path component`);
  }
  return value;
}

export const safeUid = (uid: string | undefined) => check('pod uid', uid, UID, 128);
export const safePodName = (name: string | undefined) => check('pod name', name, DNS_SUBDOMAIN, 253);
export const safeNamespace = (ns: string | undefined) => check('namespace', ns, DNS_LABEL, 63);
export const safeContainerName = (name: string | undefined) => check('container name', name, DNS_LABEL, 63);
export const safeVolumeName = (name: string | undefined) => check('volume name', name, DNS_LABEL, 63);

export class PodPaths {
  readonly podDir: string;
  constructor(readonly root: string, uid: string) {
    this.podDir = path.join(root, 'pods', safeUid(uid));
  }
  static podsDir(root: string): string { return path.join(root, 'pods'); }
  get stateFile(): string { return path.join(this.podDir, 'state.json'); }
  get hostsFile(): string { return path.join(this.podDir, 'etc-hosts'); }
  get resolvConfFile(): string { return path.join(this.podDir, 'resolv.conf'); }
  get workDir(): string { return path.join(this.podDir, 'workdir'); }
  emptyDir(volume: string): string { return path.join(this.podDir, 'volumes', 'kubernetes.io~empty-dir', safeVolumeName(volume)); }
  fifo(c: string, stream: 'stdin' | 'stdout' | 'stderr'): string { return path.join(this.podDir, `${safeContainerName(c)}.${stream}.fifo`); }
  log(c: string, index: number): string { return path.join(this.podDir, `${safeContainerName(c)}.${index}.log`); }
  exitFile(c: string, index: number): string { return path.join(this.podDir, `${safeContainerName(c)}.${index}.exit`); }
}

/** A mountPath we can honour: absolute, normalised, not `/`. */
export function isSafeMountPath(p: string): boolean {
  return path.isAbsolute(p) && path.normalize(p) === p.replace(/\/+$/, '') && p !== '/' && !p.split('/').includes('..');
}

/** Pod hostname: spec.hostname or the name, cut to 63 chars without a trailing '-' or '.' (truncatePodHostnameIfNeeded). */
export function podHostname(name: string, specHostname?: string): string {
  const h = specHostname || name;
  return h.length <= 63 ? h : h.slice(0, 63).replace(/[-.]+$/, '');
}
