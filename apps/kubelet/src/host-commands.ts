// How the agent's network code runs root commands on the node: a shell script (the rare, conditional steps, such as
// the bridge's), one command, or podling-nsexec steps (a pod sandbox's setup and teardown). The agent runs scripts
// and commands in its spawner (forks stay off its event loop) and steps in its long-lived podling-nsexec
// (nsexec-server.ts); tests and cleanup after a stopped agent run them here, steps as one exec of podling-nsexec.
import { execFile } from 'node:child_process';
import { NSEXEC } from './nsexec.ts';

export interface HostCommands {
  script(script: string): Promise<void>;
  command(argv: string[]): Promise<void>;
  /** podling-nsexec steps without a command; rejects with the failing step's reason. */
  steps(steps: string[]): Promise<void>;
}

/** Rejects with the command's output (or how it ended) unless it exits 0. */
export const execHostCommands: HostCommands = {
  script: (script) => run(['/bin/sh', '-c', script]),
  command: (argv) => run(argv),
  steps: (steps) => run([NSEXEC, ...steps]),
};

function run([file, ...args]: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) =>
      (err ? reject(new Error(`${stderr}${stdout}`.trim() || err.message)) : resolve()));
  });
}
