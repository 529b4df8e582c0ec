// Issue 13: the real kubectl against Podling with a kubelet — args-only containers from `kubectl run … -- cmd`
// (the README's example among them) and a readiness probe seen through `kubectl get pod`'s READY column.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as toYaml } from 'yaml';
import { waitFor } from '@podling/testkit';
import { parseColumns, startKubectlCluster, type KubectlCluster } from './kubectl-cli.ts';

let cluster: KubectlCluster;
const kubectl = () => cluster.kubectl;
const flags = mkdtempSync(path.join(os.tmpdir(), 'podling-kubectl-probes-'));
before(async () => { cluster = await startKubectlCluster({ kubelet: true, nodeName: 'node-1' }); });
after(async () => { await cluster?.stop(); rmSync(flags, { recursive: true, force: true }); });

async function column(pod: string, name: string): Promise<string> {
  return parseColumns(await kubectl().ok(['get', 'pod', pod]))[0]?.[name] ?? '';
}

test('issue 13: kubectl run x --image=busybox -- sh -c … runs the args as the command', async () => {
  await kubectl().ok(['run', 'hi', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo hi']);
  await waitFor(async () => (await column('hi', 'STATUS')) === 'Completed', { timeoutMs: 20_000, message: 'hi Completed' });
  assert.equal(await kubectl().ok(['logs', 'hi']), 'hi\n');
});

test("issue 13: the README's kubectl run web --image=debian -- sh -c 'while true; do date; sleep 5; done' runs", async () => {
  await kubectl().ok(['run', 'web', '--image=debian', '--', 'sh', '-c', 'while true; do date; sleep 5; done']);
  await waitFor(async () => (await column('web', 'STATUS')) === 'Running', { timeoutMs: 20_000, message: 'web Running' });
  assert.equal(await column('web', 'READY'), '1/1');
  await waitFor(async () => /\d\d:\d\d:\d\d/.test(await kubectl().ok(['logs', 'web'])), { message: 'a date in the logs' });
});

test('issue 13: a readiness probe toggled by a file shows 0/1, then 1/1 in kubectl get pod', async () => {
  const flag = path.join(flags, 'ready');
  const file = kubectl().file('ready.yaml', toYaml({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ready' },
    spec: { containers: [{
      name: 'main', image: 'busybox', command: ['sleep', '3600'],
      readinessProbe: { exec: { command: ['test', '-f', flag] }, periodSeconds: 1 },
    }] },
  }));
  await kubectl().ok(['apply', '-f', file]);
  await waitFor(async () => (await column('ready', 'STATUS')) === 'Running', { timeoutMs: 20_000, message: 'ready Running' });
  assert.equal(await column('ready', 'READY'), '0/1');
  writeFileSync(flag, '');
  await waitFor(async () => (await column('ready', 'READY')) === '1/1', { timeoutMs: 10_000, message: 'ready 1/1' });
  const describe = await kubectl().ok(['describe', 'pod', 'ready']);
  assert.match(describe, /Readiness:\s+exec \[test -f .*\] delay=0s timeout=1s period=1s #success=1 #failure=3/);
  assert.match(describe, /Warning\s+Unhealthy\s+.*Readiness probe failed:/);
});

test("issue 13: the README's manifests/probed-pod.yaml walk-through works as written", async () => {
  const files = ['/tmp/probed-ready', '/tmp/probed-alive', '/tmp/probed-poststart'];
  const clean = () => { for (const f of files) rmSync(f, { force: true }); };
  clean();
  try {
    await kubectl().ok(['apply', '-f', fileURLToPath(new URL('../../../manifests/probed-pod.yaml', import.meta.url))]);
    await waitFor(async () => (await column('probed', 'STATUS')) === 'Running', { timeoutMs: 20_000, message: 'probed Running' });
    assert.ok(existsSync('/tmp/probed-poststart'), 'postStart ran before the container was reported running');
    assert.equal(await column('probed', 'READY'), '0/1');
    writeFileSync('/tmp/probed-ready', '');
    await waitFor(async () => (await column('probed', 'READY')) === '1/1', { timeoutMs: 10_000, message: 'probed 1/1' });
    rmSync('/tmp/probed-alive');
    await waitFor(async () => (await column('probed', 'RESTARTS')).startsWith('1'), { timeoutMs: 20_000, message: 'probed restarted once' });
    await waitFor(async () => {
      const d = await kubectl().ok(['describe', 'pod', 'probed']);
      return /Warning\s+Unhealthy\s+.*Liveness probe failed:/.test(d) && /Normal\s+Killing\s+.*Container app failed liveness probe, will be restarted/.test(d);
    }, { timeoutMs: 10_000, message: 'Unhealthy and Killing in kubectl describe' });
    await kubectl().ok(['delete', 'pod', 'probed']);
  } finally {
    clean();
  }
});
