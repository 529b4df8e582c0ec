// podling-controller-manager runs the embedded controllers as a process of their own: with the apiserver's
// controllers off, a pod is still scheduled and started. Issue 15: two managers elect one leader through the Lease
// kube-system/kube-controller-manager; when the leader stops (SIGTERM, exit 0) it releases the Lease and the other
// takes over without waiting for it to expire.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import { makeTempDir, startApiserver, startKubelet, startTs, waitFor, type ManagedProcess, type RunningApiserver, type RunningKubelet } from '@podling/testkit';
import type { Lease } from '../src/leader-election.ts';

let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
let agent: RunningKubelet;
const managers: ManagedProcess[] = [];
let client: KubeClient;
const pods = { resource: 'pods', namespace: 'default' };
const lease = () => client.get<Lease>({ resource: 'leases', namespace: 'kube-system' }, 'kube-controller-manager');

function startManager(identity: string): ManagedProcess {
  const m = startTs('packages/controllers/src/main.ts', {
    args: ['--server', srv.url, '--controllers', '*,-podgc', '--leader-elect-lease-duration', '4s',
      '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', '200ms'],
    env: { HOSTNAME: identity },
  });
  managers.push(m);
  return m;
}

before(async () => {
  tmp = makeTempDir();
  srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db'), args: ['--controllers', 'none'] });
  client = new KubeClient({ server: srv.url });
  agent = await startKubelet({ server: srv.url, nodeName: 'cm-node', rootDir: path.join(tmp.dir, 'agent') });
});

after(async () => {
  for (const m of managers.reverse()) await m.stop();
  await agent?.stop();
  await srv?.stop();
  tmp?.remove();
});

async function runPod(name: string): Promise<Pod> {
  await client.create(pods, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] },
  } as Pod);
  return waitFor(async () => {
    const cur = await client.get<Pod>(pods, name);
    return cur.status?.phase === 'Running' && cur;
  }, { timeoutMs: 20_000, message: `${name} Running` });
}

test('one of two controller managers leads and schedules; the leader hands over on SIGTERM', async () => {
  const first = startManager('first');
  await first.waitForLog((l) => l.msg === 'acquired leadership', 20_000);
  const second = startManager('second');
  await second.waitForLog((l) => l.msg === 'controller manager started', 20_000);
  const holder = (await lease()).spec?.holderIdentity ?? '';
  assert.match(holder, /_/);
  assert.equal((await runPod('standalone')).spec.nodeName, 'cm-node');
  assert.equal(second.output().includes('acquired leadership'), false, 'the second manager waits as a candidate');

  const stoppedAt = Date.now();
  assert.equal(await first.stop(), 0);
  await second.waitForLog((l) => l.msg === 'acquired leadership', 10_000);
  assert.ok(Date.now() - stoppedAt < 4000, 'the successor did not wait for the 4 s lease to expire');
  const now = await lease();
  assert.notEqual(now.spec?.holderIdentity, holder);
  assert.equal(now.spec?.leaseTransitions, 1);
  assert.equal((await runPod('after-handover')).spec.nodeName, 'cm-node');
  await client.delete(pods, 'standalone');
  await client.delete(pods, 'after-handover');
});

test('bad flags exit 2 listing every problem', async () => {
  const bad = startTs('packages/controllers/src/main.ts', { args: ['--server', 'not a url', '--controllers', 'nope', '--leader-elect-renew-deadline', '20s'] });
  const { code } = await bad.exited;
  assert.equal(code, 2);
  assert.match(bad.output(), /--server: "not a url" is not a URL/);
  assert.match(bad.output(), /--controllers: unknown controller "nope"/);
  assert.match(bad.output(), /--leader-elect-renew-deadline: must be less than --leader-elect-lease-duration/);
});
