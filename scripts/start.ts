// `npm start`: the control plane on ./data/podling.db plus one local agent. Ctrl-C (or SIGTERM) stops the agent
// first, then the apiserver, each with SIGTERM and a bounded wait.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const passthrough = process.argv.slice(2);
const children: ChildProcess[] = [];

// The apiserver → agent credential of this loopback cluster (no TLS): a fresh shared token, given to both through
// their environment twin of --kubelet-auth-token, never on a command line.
const kubeletAuthToken = process.env.PODLING_KUBELET_AUTH_TOKEN ?? randomBytes(24).toString('hex');

function run(entry: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, entry), ...args], {
    cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PODLING_KUBELET_AUTH_TOKEN: kubeletAuthToken },
  });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) { process.stderr.write(`${entry} exited (${code ?? signal}); stopping\n`); void stop(1); }
  });
  return child;
}

let stopping = false;
async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await new Promise((r) => child.once('exit', r));
    clearTimeout(timer);
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const apiserver = run('apps/apiserver/src/main.ts', passthrough);
const lines = createInterface({ input: apiserver.stdout! });
let agentStarted = false;
lines.on('line', (line) => {
  process.stdout.write(line + '\n');
  if (agentStarted || !line.includes('"msg":"listening"')) return;
  agentStarted = true;
  const url = JSON.parse(line).url as string;
  process.stdout.write(`\nPodling dashboard: ${url}/ui/\n\n`);
  const node = os.hostname().toLowerCase();
  const agent = run('apps/kubelet/src/main.ts', ['--server', url, '--node-name', node, '--root-dir', path.join('data', 'kubelet', node)]);
  agent.stdout!.pipe(process.stdout);
});
