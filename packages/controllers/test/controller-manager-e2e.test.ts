// podling-controller-manager runs the embedded controllers as a process of its own: with the apiserver's
// controllers off, a pod is still scheduled and started, and the process stops cleanly on SIGTERM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import { makeTempDir, startApiserver, startKubelet, startTs, waitFor, type ManagedProcess, type RunningApiserver, type RunningKubelet } from '@podling/testkit';

let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
let agent: RunningKubelet;
let manager: ManagedProcess;
let client: KubeClient;
const pods = { resource: 'pods', namespace: 'default' };

before(async () => {
  tmp = makeTempDir();
  srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db'), args: ['--controllers', 'none'] });
  client = new KubeClient({ server: srv.url });
  agent = await startKubelet({ server: srv.url, nodeName: 'cm-node', rootDir: path.join(tmp.dir, 'agent') });
  manager = startTs('packages/controllers/src/main.ts', { args: ['--server', srv.url, '--controllers', '*,-podgc'] });
  await manager.waitForLog((l) => l.msg === 'controller manager started', 30_000);
});

after(async () => {
  await manager?.stop();
  await agent?.stop();
  await srv?.stop();
  tmp?.remove();
});

test('a pod is bound and runs when only the standalone controller manager schedules', async () => {
  await client.create(pods, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'standalone' },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] },
  } as Pod);
  const p = await waitFor(async () => {
    const cur = await client.get<Pod>(pods, 'standalone');
    return cur.status?.phase === 'Running' && cur;
  }, { timeoutMs: 20_000, message: 'standalone pod Running' });
  assert.equal(p.spec.nodeName, 'cm-node');
  await client.delete(pods, 'standalone');
});

test('SIGTERM stops the controller manager with exit code 0', async () => {
  assert.equal(await manager.stop(), 0);
});

test('bad flags exit 2 listing every problem', async () => {
  const bad = startTs('packages/controllers/src/main.ts', { args: ['--server', 'not a url', '--controllers', 'nope'] });
  const { code } = await bad.exited;
  assert.equal(code, 2);
  assert.match(bad.output(), /--server: "not a url" is not a URL/);
  assert.match(bad.output(), /--controllers: unknown controller "nope"/);
});
