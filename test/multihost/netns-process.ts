// Podling processes inside a lab namespace: testkit's startTs with `ip netns exec <ns>` as the launcher. `ip netns
// exec` execs node itself, so the pid is node's and signals reach it directly. Other programs (etcd) run the same
// way through startCommandInNetns.
import { startCommand, startTs, type ManagedProcess } from '@podling/testkit';

export interface NetnsProcess extends ManagedProcess {
  readonly name: string;
  alive(): boolean;
}

export function startInNetns(name: string, ns: string, entry: string, args: string[], env: Record<string, string> = {}): NetnsProcess {
  return inNetns(name, startTs(entry, { args, env: { PODLING_LOG_LEVEL: 'info', ...env }, launcher: ['ip', 'netns', 'exec', ns] }));
}

export function startCommandInNetns(name: string, ns: string, command: string[]): NetnsProcess {
  return inNetns(name, startCommand(['ip', 'netns', 'exec', ns, ...command]));
}

function inNetns(name: string, mp: ManagedProcess): NetnsProcess {
  return {
    ...mp,
    name,
    alive: () => mp.child.exitCode === null && mp.child.signalCode === null,
    waitForLog: (match, timeoutMs = 30_000) => mp.waitForLog(match, timeoutMs),
    stop: (graceMs = 10_000) => mp.stop(graceMs),
  };
}
