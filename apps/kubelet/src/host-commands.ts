// How the agent's network code runs root commands on the node: a shell script (the rare, conditional steps, such as
// the bridge's) or one command (the per-pod steps, whose cost is one exec each). The agent
// runs them in its spawner (forks stay off its event loop); tests and cleanup after a stopped agent run them here.
import { execFile } from 'node:child_process';

export interface HostCommands {
  script(script: string): Promise<void>;
  command(argv: string[]): Promise<void>;
}

/** Rejects with the command's output (or how it ended) unless it exits 0. */
export const execHostCommands: HostCommands = {
  script: (script) => run(['/bin/sh', '-c', script]),
  command: (argv) => run(argv),
};

function run([file, ...args]: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) =>
      (err ? reject(new Error(`${stderr}${stdout}`.trim() || err.message)) : resolve()));
  });
}
