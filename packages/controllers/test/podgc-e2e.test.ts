// Issue 5: pod GC keeps at most --terminated-pod-gc-threshold finished pods, deleting the oldest; running pods
// are never collected. (Orphans of deleted nodes are covered in node-lifecycle-e2e and scheduler-e2e.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import { makeTempDir, startApiserver, startKubelet, waitFor, type RunningApiserver, type RunningKubelet } from '@podling/testkit';

let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
let agent: RunningKubelet;
let client: KubeClient;
const pods = { resource: 'pods', namespace: 'default' };

before(async () => {
  tmp = makeTempDir();
  srv = await startApiserver({
    dbPath: path.join(tmp.dir, 'podling.db'),
    args: ['--controllers', 'scheduler,podgc', '--terminated-pod-gc-threshold', '2', '--pod-gc-period', '500ms'],
  });
  client = new KubeClient({ server: srv.url });
  agent = await startKubelet({ server: srv.url, nodeName: 'gc-node', rootDir: path.join(tmp.dir, 'agent'), args: ['--node-status-update-frequency', '1s'] });
});

after(async () => {
  await agent?.stop();
  await srv?.stop();
  tmp?.remove();
});

function pod(name: string, command: string[]): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox', command }] },
  };
}

test('finished pods beyond the threshold are deleted oldest first; a running pod is kept', async () => {
  await client.create(pods, pod('long-running', ['sleep', '3600']));
  await waitFor(async () => (await client.get<Pod>(pods, 'long-running')).status?.phase === 'Running',
    { timeoutMs: 20_000, message: 'long-running is Running' });
  for (const n of ['done-1', 'done-2', 'done-3', 'done-4']) await client.create(pods, pod(n, ['true']));
  const remaining = await waitFor(async () => {
    const items = (await client.list<Pod>(pods)).items;
    const done = items.filter((p) => p.metadata.name!.startsWith('done-'));
    return done.length === 2 && done.every((p) => p.status?.phase === 'Succeeded') && items;
  }, { timeoutMs: 30_000, message: 'two finished pods left' });
  // creationTimestamp has second precision; ties go by namespace/name, so the newest two are done-3 and done-4.
  assert.deepEqual(remaining.map((p) => p.metadata.name).sort(), ['done-3', 'done-4', 'long-running']);
});
