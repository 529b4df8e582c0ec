// Entering a running container (container-entry.ts, used by exec, exec hooks and exec probes): the command sees the
// container's hostname and mounts, runs as its user in its working directory with its environment, and nothing a
// pod chose reaches the programs that run as root.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Pod } from '@podling/api';
import { makeTempDir, waitFor } from '@podling/testkit';
import { containerEntry } from '../src/container-entry.ts';
import { planLaunch, type LaunchContext } from '../src/container-launcher.ts';
import { PodPaths } from '../src/pod-paths.ts';
import { ProcessRuntime } from '../src/process-runtime.ts';

const run = promisify(execFile);
const UID = '6d1c2b9e-0a55-4f0e-9d0c-entry0000001';
const tmp = makeTempDir('podling-entry-');
// The mountPath must exist on the host and be reachable by an unprivileged user (tmp dirs are 0700).
const mountPath = mkdtempSync(path.join(os.tmpdir(), 'podling-entry-mnt-'));
chmodSync(mountPath, 0o755);
const runtime = new ProcessRuntime();
const pids: number[] = [];
after(async () => {
  for (const pid of pids) runtime.signalGroup(pid, 'SIGKILL');
  await runtime.detachAll();
  tmp.remove();
  rmSync(mountPath, { recursive: true, force: true });
});

function podWith(container: object): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'entry-pod', namespace: 'default', uid: UID },
    spec: { hostname: 'inside', volumes: [{ name: 'data', emptyDir: {} }], containers: [{ name: 'c', ...container }] },
  } as unknown as Pod;
}

test('the command line joins the namespaces, drops to the user, and only env -i sees the pod environment', async (t) => {
  const pod = podWith({ command: ['sleep', '1'], env: [{ name: 'LD_PRELOAD', value: '/evil.so' }], securityContext: { runAsUser: 7, runAsGroup: 8 } });
  const ctx: LaunchContext = { pod, paths: new PodPaths(tmp.dir, UID), nodeIP: '127.0.0.1', namespaces: true, mountBin: 'mount', agentUid: 0 };
  // A process in the agent's own namespaces has not finished its setup: entering "its" namespaces would mean the
  // host's, so there is no command line for it.
  const early = containerEntry({ container: pod.spec.containers[0], index: 0, pid: process.pid }, ctx, ['ls', '-l']);
  assert.match(early.configError ?? '', /container c is not running in its namespaces \(process \d+ is still starting or gone\)/);
  // A stand-in container with mount and UTS namespaces of its own (in a user namespace, so no root is needed).
  const stand = spawn('unshare', ['--user', '--map-root-user', '--mount', '--uts', 'sleep', '30'], { stdio: 'ignore' });
  t.after(() => stand.kill('SIGKILL'));
  const pid = stand.pid!;
  const own = (ns: string) => readlinkSync(`/proc/${pid}/ns/${ns}`) !== readlinkSync(`/proc/self/ns/${ns}`);
  await waitFor(() => { try { return own('mnt') && own('uts'); } catch { return false; } }, { message: 'the stand-in has its namespaces' });
  const plan = containerEntry({ container: pod.spec.containers[0], index: 0, pid }, ctx, ['ls', '-l']);
  assert.ok(plan.configError === undefined, plan.configError);
  const { file, args, env } = plan.command;
  assert.equal(file, 'nsenter');
  assert.deepEqual(env, { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' });
  // Only the namespaces it does not share with the agent are entered.
  assert.deepEqual(args.slice(0, 6), ['--target', String(pid), '--user', '--mount', '--uts', '--']);
  // The container's identity and capability bounding set (container-security.ts), then its environment.
  const envAt = args.indexOf('env');
  assert.deepEqual(args.slice(6, 10), ['setpriv', '--reuid=7', '--regid=8', '--clear-groups']);
  assert.ok(args.slice(10, envAt).includes('--bounding-set'), args.join(' '));
  assert.deepEqual(args.slice(envAt, envAt + 4), ['env', '-i', `--chdir=${ctx.paths.workDir}`, '--']);
  assert.ok(args.includes('LD_PRELOAD=/evil.so') && args.indexOf('LD_PRELOAD=/evil.so') > args.indexOf('env'));
  assert.deepEqual(args.slice(-2), ['ls', '-l']);
});

test('an agent without namespaces runs env -i directly', () => {
  const pod = podWith({ command: ['sleep', '1'] });
  const ctx: LaunchContext = { pod, paths: new PodPaths(tmp.dir, UID), nodeIP: '127.0.0.1', namespaces: false, mountBin: 'mount', agentUid: 1000 };
  const plan = containerEntry({ container: pod.spec.containers[0], index: 0, pid: 1 }, ctx, ['true']);
  assert.ok(plan.configError === undefined);
  assert.equal(plan.command.file, 'env');
  assert.equal(plan.command.args[0], '-i');
});

test('as root, a command entered into a running container sees its hostname, mounts, user, env and workingDir',
  { skip: process.getuid?.() !== 0 ? 'needs root (namespaces, setpriv)' : false }, async () => {
    const pod = podWith({
      command: ['sleep', '3600'], workingDir: mountPath, env: [{ name: 'GREETING', value: 'hello' }],
      volumeMounts: [{ name: 'data', mountPath }], securityContext: { runAsUser: 65534, runAsGroup: 65534 },
    });
    const paths = new PodPaths(tmp.dir, UID);
    const ctx: LaunchContext = { pod, paths, nodeIP: '127.0.0.1', namespaces: true, mountBin: 'mount' };
    const volume = paths.emptyDir('data');
    mkdirSync(volume, { recursive: true });
    chmodSync(volume, 0o777);
    writeFileSync(path.join(volume, 'marker'), 'in the volume');
    mkdirSync(paths.workDir, { recursive: true });
    const planned = planLaunch(pod.spec.containers[0], 0, ctx);
    assert.ok(planned.configError === undefined);
    await runtime.makePaths({ fifos: [planned.launch.stdoutFifo, planned.launch.stderrFifo] });
    const started = await runtime.start(planned.launch, () => {});
    pids.push(started.pid);
    // The wrapper is in its namespaces once its hostname is set.
    await waitFor(async () => (await run('nsenter', ['--target', String(started.pid), '--uts', 'hostname'])).stdout.trim() === 'inside', { message: 'wrapper hostname' });

    const plan = containerEntry({ container: pod.spec.containers[0], index: 0, pid: started.pid }, ctx, ['sh', '-c', 'hostname; id -u; echo "$GREETING"; pwd; cat marker']);
    assert.ok(plan.configError === undefined);
    assert.ok(plan.command.args.includes('--uts') && plan.command.args.includes('--mount'));
    const { stdout } = await run(plan.command.file, plan.command.args, { env: plan.command.env });
    assert.equal(stdout, `inside\n65534\nhello\n${mountPath}\nin the volume`);

    const missing = containerEntry({ container: pod.spec.containers[0], index: 0, pid: started.pid }, ctx, ['no-such-command']);
    assert.ok(missing.configError === undefined);
    await assert.rejects(run(missing.command.file, missing.command.args, { env: missing.command.env }), (e: { code?: number }) => e.code === 127);
  });
