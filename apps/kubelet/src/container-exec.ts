// Runs a short command inside one running container instance and collects its output: exec probes and exec
// postStart hooks. The way in is container-entry.ts (namespaces, user, env, cwd); the process is forked by the
// agent's spawner (process-runtime.ts), not by the agent, so a 1 s exec probe on every pod does not stall the
// agent's event loop with fork() calls, and its whole process group is killed at the timeout.
import type { Container } from '@podling/api';
import { containerEntry } from './container-entry.ts';
import type { LaunchContext } from './container-launcher.ts';
import { EXEC_MAX_OUTPUT, type ContainerExec } from './exec-action.ts';
import { isRunning, type ContainerRecord } from './pod-record.ts';
import type { ContainerRuntime } from './container-runtime.ts';

export interface ExecTarget {
  container: Container;
  /** The instance the command is meant for; it fails if another one (or none) runs by then. */
  index: number;
  record: () => ContainerRecord | undefined;
  launchContext: () => LaunchContext;
  runtime: Pick<ContainerRuntime, 'run'>;
}

export function containerExec(t: ExecTarget): ContainerExec {
  return async (argv, opts) => {
    const cur = t.record()?.current;
    if (!isRunning(cur) || cur.index !== t.index) throw new Error(`container ${t.container.name} is not running`);
    const plan = containerEntry({ container: t.container, index: cur.index, pid: cur.pid }, t.launchContext(), argv);
    if (plan.configError !== undefined) throw new Error(plan.configError);
    const { file, args, env } = plan.command;
    const r = await t.runtime.run(file, args, env, { timeoutMs: opts.timeoutMs, maxOutput: EXEC_MAX_OUTPUT, signal: opts.signal });
    return { code: r.code, output: r.output, timedOut: r.timedOut };
  };
}
