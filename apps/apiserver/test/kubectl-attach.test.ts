// Issue 13: `kubectl attach` to a container's main process: live output, and for a container with `stdin: true` its
// stdin (a FIFO the container's wrapper holds, so it outlives the agent); the session ends when the container does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify as toYaml } from 'yaml';
import { waitFor } from '@podling/testkit';
import { startKubectlCluster, type KubectlCluster } from './kubectl-cli.ts';

let cluster: KubectlCluster;
const kubectl = () => cluster.kubectl;
before(async () => { cluster = await startKubectlCluster({ kubelet: true, nodeName: 'node-1' }); });
after(async () => { await cluster?.stop(); });

async function createPod(name: string, script: string, extra: object = {}): Promise<void> {
  await kubectl().ok(['create', '-f', kubectl().file(`${name}.yaml`, toYaml({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script], ...extra }] },
  }))]);
  await waitFor(async () => (await kubectl().ok(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])) === 'Running', { timeoutMs: 20_000, message: `${name} Running` });
}

test('attach shows the live output of the main process', async () => {
  await createPod('ticker', 'trap "exit 0" TERM; i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done');
  const a = kubectl().stream(['attach', 'ticker']);
  try {
    const first = await a.waitForLine((l) => /^tick \d+$/.test(l));
    const n = Number(first.split(' ')[1]);
    await a.waitForLine((l) => l === `tick ${n + 2}`);
  } finally {
    await a.stop();
  }
});

test('attach -i feeds the container stdin; the session ends with the container', async () => {
  await createPod('reader', 'while read l; do [ "$l" = quit ] && exit 0; echo "got $l"; done', { stdin: true });
  const r = await kubectl().run(['attach', '-i', 'reader'], { stdin: 'hello\nworld\nquit\n', timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'got hello\ngot world\n');
  await waitFor(async () => (await kubectl().ok(['get', 'pod', 'reader', '-o', 'jsonpath={.status.phase}'])) === 'Succeeded', { message: 'reader Succeeded' });
});
