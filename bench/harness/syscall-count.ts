// Counts a process's syscalls over a window with `perf stat` on syscall tracepoints (cheap: no ptrace stop per
// syscall, unlike strace). Used to see the apiserver's group commits from outside: with synchronous=FULL in WAL
// mode every commit fsyncs the WAL once (checkpoints add a few), so fsyncs bound the number of commits.
// Resolves to undefined where perf or the tracepoints are unavailable.
import { spawn, spawnSync } from 'node:child_process';

export interface SyscallCounter { stop(): Promise<Record<string, number> | undefined> }

export function countSyscalls(pid: number, names: string[]): SyscallCounter {
  if (spawnSync('perf', ['--version']).status !== 0) return { stop: async () => undefined };
  const events = names.map((n) => `syscalls:sys_enter_${n}`).join(',');
  const perf = spawn('perf', ['stat', '-x', ',', '-e', events, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  perf.stderr.on('data', (b: Buffer) => { err += b; });
  perf.on('error', () => {});
  const exited = new Promise<void>((r) => perf.once('close', () => r()));
  return {
    async stop() {
      if (perf.exitCode === null) perf.kill('SIGINT');
      const timer = setTimeout(() => perf.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      const counts: Record<string, number> = {};
      // CSV lines: value,unit,event,…
      for (const line of err.split('\n')) {
        const [value, , event] = line.split(',');
        const m = /^syscalls:sys_enter_(\w+)$/.exec(event ?? '');
        if (m && /^\d+$/.test(value)) counts[m[1]] = Number(value);
      }
      return Object.keys(counts).length ? counts : undefined;
    },
  };
}
