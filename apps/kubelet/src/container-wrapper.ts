// Every container instance runs under a small /bin/sh wrapper that leads its process group. It exists so a
// container survives the agent (the agent may be restarted or killed at any time, like a real kubelet) and its
// end is still known afterwards:
// - as root, podling-nsexec (process-runtime.ts) runs first in the same process: it joins the container
//   instance's cgroups (container-cgroup.ts), so everything the container starts is born inside them and ends with
//   them, whatever process group or session it makes; then the pod's network and IPC namespaces and new UTS and
//   mount namespaces, where it mounts the pod's /etc/hosts and makes the cgroupfs read-only, so the container cannot
//   move out. What it could not do arrives in PODLING_SETUP_ERROR and is recorded as the start error. Without root
//   the wrapper joins the cgroups itself, if any;
// - it opens the container's stdout/stderr FIFOs (and its stdin FIFO, when the agent made one) read-write, so a reader always exists: with the agent gone, writes
//   fill the pipe and then block until the agent is back, instead of SIGPIPE;
// - it traps TERM/INT/HUP (a handler, not "ignore", so the container's exec resets it; a signal that arrives
//   before the command started means it is not started at all) and stays to write the container's exit status to
//   `<n>.exit` — `128+s` when the container died of signal s — or `start-error\n<message>` when the command cannot be exec'd (reported as StartError, exit code 128);
// - the container's command is never forked while the wrapper catches a signal: a child forked with the trap's
//   handler still installed loses a TERM that arrives before it resets it (dash drops the pending trap), and the
//   container then sleeps through its whole grace period (seen as pods taking 30 s to stop when deleted right
//   after they started). So the traps are reset first — a TERM then ends the wrapper, and with it the container,
//   not yet started or sent the same TERM — and the command runs in the background while the wrapper `wait`s,
//   which a trapped signal interrupts (it loops until the command ended). A background command of a shell
//   without job control has SIGINT and SIGQUIT ignored: `env --default-signal=INT,QUIT` restores them (a
//   container starts with every signal at its default, as runc makes it); its stdin is passed on fd 4;
// - in those namespaces it sets the hostname to the pod's and bind-mounts volumes at their mountPaths, visible only
//   there;
// - for readOnlyRootFilesystem it remounts `/` read-only in that namespace, after a bind mount of the pod's
//   directory onto itself keeps the exit file writable;
// - it runs with a fixed environment, never the pod's (a pod's LD_PRELOAD or PATH must not reach a shell running as
//   root): the command is looked up in the container's PATH, passed as an argument, and the final exec is
//   `<security prefix> env -i -- K=V… <command>` (container-security.ts): identity, capabilities, no_new_privs and
//   user namespace are set, and the container's environment applied, only for the command, after the root-only
//   steps above.
// Everything the wrapper needs from the agent's directories (FIFOs, the exit file's directory, default working
// directory) is opened before the mounts, since a mountPath such as /tmp may shadow the agent's root dir inside the
// namespace. The exit file itself is only created when there is something to write, through the directory held
// open on fd 3 (/proc/self/fd/3/<name> reaches it even under a shadowing mount): creating an inode costs up to
// ~0.5 ms on a journal-less ext4 with recently deleted inodes, and start-up is where that time is felt.
// The command itself is exec'd from a subshell (`(exec "$@") &`), never parsed by the shell: no shell is added.
// The wrapper is forked, in a session of its own, by the agent's podling-nsexec --serve (namespaced containers) or its
// spawner process (spawner.mjs): it is nobody's child that matters, and whoever follows it learns its end from that
// process's exit report or, failing that, from /proc and `<n>.exit`.
import { readdirSync, readFileSync } from 'node:fs';
import { readProcStat } from './proc-stat.ts';
import { DEFAULT_PATH } from './container-env.ts';

// sh parameter expansions, kept out of the template's own ${} syntax: the exit file's directory and base name.
const EXIT_DIR = '${exitfile%/*}';
const EXIT_NAME = '${exitfile##*/}';
/** `<c>.stdin.fifo` next to `<c>.<n>.exit`: a container with `stdin: true` reads it (attach-session.ts). */
const STDIN_FIFO = '${exitfile%.*.exit}.stdin.fifo';

export const WRAPPER_SCRIPT = String.raw`
exitfile=$1 out=$2 err=$3 host=$4 wd=$5 mountbin=$6 cgprocs=$7 cmd=$8 cpath=$9
shift 9
cgmount=$1 roroot=$2 n=$3
shift 3
exec 1<>"$out" 2<>"$err" 3<"${EXIT_DIR}" </dev/null
in="${STDIN_FIFO}"; if [ -p "$in" ]; then exec 0<>"$in"; fi
sig=
trap 'sig=15' TERM; trap 'sig=2' INT; trap 'sig=1' HUP
record() { printf '%s\n' "$@" 2>/dev/null >"/proc/self/fd/3/${EXIT_NAME}" || printf '%s\n' "$@" 2>/dev/null >"$exitfile"; }
fail() { record start-error "$1"; exit 128; }
[ -z "$PODLING_SETUP_ERROR" ] || fail "cannot set up the container's namespaces: $PODLING_SETUP_ERROR"
IFS=:; for f in $cgprocs; do echo $$ 2>/dev/null >"$f" || fail "cannot join the container's cgroup ($f)"; done; unset IFS
if [ -n "$host" ]; then printf '%s' "$host" > /proc/sys/kernel/hostname || fail "cannot set hostname $host"; fi
if [ -n "$roroot" ]; then
  d="${EXIT_DIR}"
  { "$mountbin" --bind "$d" "$d" && exec 3<"$d" && "$mountbin" -o remount,bind,ro /; } || fail "cannot make / read-only (readOnlyRootFilesystem)"
fi
cd "$wd" 2>/dev/null
while [ "$n" -gt 0 ]; do
  if [ "$3" = ro ]; then o=ro; else o=rw; fi
  "$mountbin" --bind -o "$o" "$1" "$2" || fail "cannot mount $1 at $2"
  shift 3; n=$((n-1))
done
[ "$1" = -- ] && shift
IFS=:; for m in $cgmount; do "$mountbin" -o remount,bind,ro "$m" || fail "cannot make $m read-only"; done; unset IFS
cd "$wd" 2>/dev/null || [ "$PWD" = "$wd" ] || fail "chdir to cwd (\"$wd\") failed: no such file or directory"
case $cmd in
  */*) p=$cmd
       [ -e "$p" ] || fail "exec: \"$cmd\": stat $cmd: no such file or directory" ;;
  *) p=; IFS=:
     for d in $cpath; do if [ -f "$d/$cmd" ] && [ -x "$d/$cmd" ]; then p=$d/$cmd; break; fi; done
     unset IFS
     [ -n "$p" ] || fail "exec: \"$cmd\": executable file not found in \$PATH" ;;
esac
if [ -d "$p" ] || [ ! -x "$p" ]; then fail "exec: \"$cmd\": permission denied"; fi
exec 4<&0
trap - TERM INT HUP
if [ -n "$sig" ]; then record $((128+sig)); exit $((128+sig)); fi
(exec "$@" 0<&4 3>&- 4<&-) &
c=$!
trap 'sig=15' TERM; trap 'sig=2' INT; trap 'sig=1' HUP
while :; do wait "$c"; rc=$?; kill -0 "$c" 2>/dev/null || break; done
record "$rc"
exit "$rc"
`;

export interface BindMount { source: string; target: string; readOnly: boolean }

export interface WrapperArgs {
  exitFile: string;
  stdoutFifo: string;
  stderrFifo: string;
  /** '' outside a UTS namespace. */
  hostname: string;
  workingDir: string;
  mountBin: string;
  mounts: BindMount[];
  argv: string[];
  /** The container's environment, applied by `env -i` at the final exec only. */
  env: Record<string, string>;
  /** Runs the rest with the container's identity and capabilities (container-security.ts); [] for none. */
  securityPrefix: string[];
  /** The container instance's cgroup.procs files, one per hierarchy (container-cgroup.ts), joined before anything
   *  else; none when absent. Paths hold no `:` (they are made of DNS names), which separates them for the wrapper. */
  cgroupProcs?: string[];
  /** The cgroupfs mounts holding them, made read-only in the container's mount namespace (the default capability
   *  set includes DAC_OVERRIDE: a root container could otherwise write itself into another cgroup). */
  cgroupMounts?: string[];
  /** readOnlyRootFilesystem: `/` is remounted read-only in the container's mount namespace (volumes, mounted after,
   *  and the pod's own directory, where the exit code is recorded, stay writable). Needs the mount namespace. */
  readOnlyRoot?: boolean;
}

/** argv for /bin/sh -c WRAPPER_SCRIPT (the `$0` is the name shown by ps). */
export function wrapperArgv(a: WrapperArgs): string[] {
  const mounts = a.mounts.flatMap((m) => [m.source, m.target, m.readOnly ? 'ro' : 'rw']);
  return ['-c', WRAPPER_SCRIPT, 'podling-container', a.exitFile, a.stdoutFifo, a.stderrFifo, a.hostname, a.workingDir,
    a.mountBin, (a.cgroupProcs ?? []).join(':'), a.argv[0], a.env.PATH ?? '', (a.cgroupMounts ?? []).join(':'), a.readOnlyRoot ? '1' : '', String(a.mounts.length), ...mounts, '--', ...finalExec(a, ['--default-signal=INT,QUIT'])];
}

/** The container's command as the wrapper finally execs it: security prefix, then its environment and argv. */
export function finalExec(a: Pick<WrapperArgs, 'securityPrefix' | 'env' | 'argv'>, envFlags: string[] = [], argv = a.argv): string[] {
  // After `--`, env still takes NAME=VALUE words as assignments, and a name can no longer look like an option.
  return [...a.securityPrefix, 'env', '-i', ...envFlags, '--', ...Object.entries(a.env).map(([k, v]) => `${k}=${v}`), ...argv];
}

/** The environment the wrapper and every root-run step before the container's command get: nothing a pod chose. */
export const WRAPPER_ENV: Readonly<Record<string, string>> = { PATH: DEFAULT_PATH };

export interface RecordedExit { exitCode: number; reason?: string; message?: string }

/** Parses `<n>.exit`; undefined when the wrapper never got to write it (it was SIGKILLed). */
export function parseExitFile(text: string | undefined): RecordedExit | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (text.startsWith('start-error\n')) return { exitCode: 128, reason: 'StartError', message: text.slice(12).trimEnd() };
  const n = Number(text.trim());
  return Number.isInteger(n) ? { exitCode: n } : undefined;
}

/** Live container wrappers on this machine, by the exit file their argv names right after `podling-container`. */
export function liveWrappers(): { pid: number; procStart: number; exitFile: string }[] {
  const found: { pid: number; procStart: number; exitFile: string }[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    let argv: string[];
    try { argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    const i = argv.indexOf('podling-container');
    if (i < 0 || !argv[i + 1]) continue;
    const stat = readProcStat(Number(p));
    if (stat && stat.state !== 'Z') found.push({ pid: Number(p), procStart: stat.startTime, exitFile: argv[i + 1] });
  }
  return found;
}
