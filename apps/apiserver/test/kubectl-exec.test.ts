// Issue 13: `kubectl exec` (kubectl 1.32, v5.channel.k8s.io websockets) through the apiserver to the agent: output,
// the container's exit code, stdin with its half-close, a real terminal for -it, kubectl cp both ways, and the
// errors kubectl prints for a missing container or a SPDY-only client.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { waitFor } from '@podling/testkit';
import { startKubectlCluster, type KubectlCluster } from './kubectl-cli.ts';

let cluster: KubectlCluster;
const kubectl = () => cluster.kubectl;
before(async () => {
  cluster = await startKubectlCluster({ kubelet: true, nodeName: 'node-1' });
  await kubectl().ok(['create', '-f', kubectl().file('box.yaml', toYaml({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'box' },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'], env: [{ name: 'GREETING', value: 'hello from box' }] }],
    },
  }))]);
  await waitFor(async () => (await kubectl().ok(['get', 'pod', 'box', '-o', 'jsonpath={.status.phase}'])) === 'Running', { timeoutMs: 20_000, message: 'box Running' });
});
after(async () => { await cluster?.stop(); });

test('exec prints the command output with the container environment', async () => {
  assert.equal(await kubectl().ok(['exec', 'box', '--', 'sh', '-c', 'echo "$GREETING"; echo oops >&2']), 'hello from box\n');
  const r = await kubectl().run(['exec', 'box', '--', 'sh', '-c', 'echo to-stderr >&2']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, 'to-stderr\n');
});

test('the container command exit code becomes kubectl exit code (exec …; echo $?)', async () => {
  const r = await kubectl().run(['exec', 'box', '--', 'sh', '-c', 'exit 3']);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /command terminated with exit code 3/);
  const shell = spawn('sh', ['-c', 'kubectl exec box -- sh -c "exit 7"; echo "rc=$?"'], { env: { ...process.env, HOME: kubectl().home, KUBECONFIG: kubectl().kubeconfig } });
  let out = '';
  shell.stdout.on('data', (d) => { out += d; });
  await new Promise((r) => shell.on('close', r));
  assert.match(out, /rc=7/);
  const missing = await kubectl().run(['exec', 'box', '--', 'no-such-binary']);
  assert.equal(missing.code, 127);
});

test('exec -i passes piped stdin and its end (the [255,0] half-close)', async () => {
  const out = await kubectl().ok(['exec', '-i', 'box', '--', 'sh', '-c', 'wc -l; cat /proc/self/status | grep -c Name'], { stdin: 'a\nb\nc\n' });
  assert.equal(out, '3\n1\n');
});

test('exec -it gets a real terminal under a terminal (script)', async () => {
  const env = { ...process.env, HOME: kubectl().home, KUBECONFIG: kubectl().kubeconfig };
  const child = spawn('script', ['-qec', 'kubectl exec -it box -- sh -c "tty; stty size; exit 4"', '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.match(out, /\/dev\/pts\/\d+/);
  assert.match(out, /^\d+ \d+\r?$/m);
  assert.equal(code, 4, out);
});

test('kubectl cp copies a file into the pod and back out', async () => {
  const dir = path.join(kubectl().home, 'cp');
  mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'in.txt');
  writeFileSync(src, 'copied through tar over exec\n');
  await kubectl().ok(['exec', 'box', '--', 'mkdir', '-p', '/tmp/podling-cp-test']);
  await kubectl().ok(['cp', src, 'box:/tmp/podling-cp-test/in.txt']);
  assert.equal(await kubectl().ok(['exec', 'box', '--', 'cat', '/tmp/podling-cp-test/in.txt']), 'copied through tar over exec\n');
  const back = path.join(dir, 'back.txt');
  await kubectl().ok(['cp', 'box:/tmp/podling-cp-test/in.txt', back]);
  assert.equal(readFileSync(back, 'utf8'), 'copied through tar over exec\n');
  await kubectl().ok(['exec', 'box', '--', 'rm', '-rf', '/tmp/podling-cp-test']);
});

test('a missing container is a clear error', async () => {
  const r = await kubectl().fails(['exec', 'box', '-c', 'nope', '--', 'true']);
  assert.match(r.stderr, /container nope is not valid for pod box/);
  const gone = await kubectl().fails(['exec', 'nothere', '--', 'true']);
  assert.match(gone.stderr, /pods "nothere" not found/);
});

test('a client that only speaks SPDY gets a clear 400, not a hang', async () => {
  const env = { ...process.env, HOME: kubectl().home, KUBECONFIG: kubectl().kubeconfig, KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
  const child = spawn('kubectl', ['exec', 'box', '--', 'true'], { env });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 1);
  assert.match(err, /Error from server \(BadRequest\): Upgrade to SPDY\/3\.1 is not supported by Podling/);
});
