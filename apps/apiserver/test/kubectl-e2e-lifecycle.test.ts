// Issue 6: the real kubectl against Podling with a kubelet — logs, describe and every flavour of delete (exec: kubectl-exec.test.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify as toYaml } from 'yaml';
import { waitFor } from '@podling/testkit';
import { startKubectlCluster, type KubectlCluster } from './kubectl-cli.ts';

let cluster: KubectlCluster;
const kubectl = () => cluster.kubectl;
before(async () => { cluster = await startKubectlCluster({ kubelet: true, nodeName: 'node-1' }); });
after(async () => { await cluster?.stop(); });

function podFile(name: string, script: string, opts: { labels?: Record<string, string>; grace?: number } = {}): string {
  return kubectl().file(`${name}.yaml`, toYaml({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: opts.labels ?? { app: name } },
    spec: { terminationGracePeriodSeconds: opts.grace ?? 30, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script] }] },
  }));
}

async function podState(name: string): Promise<{ phase?: string; deleting: boolean } | undefined> {
  const res = await fetch(`${cluster.apiserver.url}/api/v1/namespaces/default/pods/${name}`);
  if (res.status === 404) return undefined;
  const pod = await res.json() as { status?: { phase?: string }; metadata: { deletionTimestamp?: string } };
  return { phase: pod.status?.phase, deleting: !!pod.metadata.deletionTimestamp };
}
const running = (name: string) => waitFor(async () => (await podState(name))?.phase === 'Running', { timeoutMs: 20_000, message: `${name} Running` });
const gone = (name: string, timeoutMs = 20_000) => waitFor(async () => (await podState(name)) === undefined, { timeoutMs, message: `${name} deleted` });

/** A shell that exits promptly on SIGTERM (sh ignores it while a foreground child runs, so sleep in the background). */
const SLEEPER = 'trap "exit 0" TERM; while true; do sleep 0.2; done';
/** A shell that ignores SIGTERM, so only the grace period's SIGKILL ends it. */
const STUBBORN = 'trap "" TERM; while true; do sleep 0.2; done';

test('logs prints the container output; --tail limits it; -f follows new lines', async () => {
  await kubectl().ok(['create', '-f', podFile('talker', 'echo hello; echo world; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.3; done')]);
  await running('talker');
  await waitFor(async () => (await kubectl().ok(['logs', 'talker'])).includes('tick 2'), { message: 'two ticks logged' });
  const all = await kubectl().ok(['logs', 'talker']);
  assert.ok(all.startsWith('hello\nworld\ntick 1\n'), all);
  assert.equal((await kubectl().ok(['logs', 'talker', '--tail=1'])).split('\n').filter(Boolean).length, 1);
  assert.match(await kubectl().ok(['logs', 'pod/talker', '-c', 'main', '--timestamps', '--tail=1']), /^\d{4}-\d\d-\d\dT\S+ tick \d+\n$/);
  const follow = kubectl().stream(['logs', '-f', 'talker', '--tail=1']);
  try {
    const first = await follow.waitForLine((l) => l.startsWith('tick'));
    const n = Number(first.split(' ')[1]);
    await follow.waitForLine((l) => l === `tick ${n + 2}`);
  } finally {
    await follow.stop();
  }
  const missing = await kubectl().fails(['logs', 'nope']);
  assert.match(missing.stderr, /pods "nope" not found/);
  const badContainer = await kubectl().fails(['logs', 'talker', '-c', 'nope']);
  assert.match(badContainer.stderr, /container nope is not valid for pod talker/);
});

test('logs --previous prints the output of the container instance before the restart', async () => {
  // Each instance prints a line of its own, then the first one fails; the first restart is immediate.
  await kubectl().ok(['create', '-f', podFile('restarter', 'echo "instance $(date +%s%N)"; sleep 1; exit 1')]);
  const restarted = async () => {
    const res = await fetch(`${cluster.apiserver.url}/api/v1/namespaces/default/pods/restarter`);
    const pod = await res.json() as { status?: { containerStatuses?: { restartCount: number; lastState?: { terminated?: unknown } }[] } };
    const cs = pod.status?.containerStatuses?.[0];
    return !!cs && cs.restartCount >= 1 && !!cs.lastState?.terminated;
  };
  await waitFor(restarted, { timeoutMs: 20_000, message: 'restarter restarted once' });
  const previous = (await kubectl().ok(['logs', 'restarter', '--previous'])).trim();
  const current = await waitFor(async () => (await kubectl().ok(['logs', 'restarter'])).trim(), { message: 'current instance output' });
  assert.match(previous, /^instance \d+$/);
  assert.match(current, /^instance \d+$/);
  assert.ok(Number(previous.split(' ')[1]) < Number(current.split(' ')[1]), `previous (${previous}) is the older instance than current (${current})`);
});

test('describe pod shows the node, container state and the Events section', async () => {
  await kubectl().ok(['create', '-f', podFile('described', SLEEPER)]);
  await running('described');
  const out = await kubectl().ok(['describe', 'pod', 'described']);
  assert.match(out, /^Name:\s+described$/m);
  assert.match(out, /^Node:\s+node-1\/\S+$/m);
  assert.match(out, /^Status:\s+Running$/m);
  assert.match(out, /^\s+State:\s+Running$/m);
  assert.match(out, /^Events:/m);
  assert.match(out, /Normal\s+Scheduled\s+\S+\s+\S+\s+Successfully assigned default\/described to node-1/);
});

test('delete waits for the kubelet to stop the containers and prints deleted', async () => {
  await kubectl().ok(['create', '-f', podFile('graceful', SLEEPER)]);
  await running('graceful');
  const out = await kubectl().ok(['delete', 'pod', 'graceful'], { timeoutMs: 40_000 });
  assert.equal(out.trim(), 'pod "graceful" deleted');
  assert.equal(await podState('graceful'), undefined, 'kubectl delete returns only once the pod is gone');
});

test('delete --grace-period bounds how long a container that ignores SIGTERM keeps the pod', async () => {
  await kubectl().ok(['create', '-f', podFile('stubborn', STUBBORN)]);
  await running('stubborn');
  const started = Date.now();
  await kubectl().ok(['delete', 'pod', 'stubborn', '--grace-period=3'], { timeoutMs: 40_000 });
  const took = Date.now() - started;
  assert.ok(took >= 2_500 && took < 15_000, `took ${took} ms`);
});

test('delete --now uses a one-second grace period', async () => {
  await kubectl().ok(['create', '-f', podFile('now', STUBBORN)]);
  await running('now');
  const started = Date.now();
  assert.equal((await kubectl().ok(['delete', 'pod', 'now', '--now'], { timeoutMs: 40_000 })).trim(), 'pod "now" deleted');
  assert.ok(Date.now() - started < 10_000);
});

test('delete --force --grace-period=0 removes the object at once with a warning', async () => {
  await kubectl().ok(['create', '-f', podFile('forced', SLEEPER, { grace: 60 })]);
  await running('forced');
  const r = await kubectl().run(['delete', 'pod', 'forced', '--force', '--grace-period=0']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated/);
  assert.equal(r.stdout.trim(), 'pod "forced" force deleted');
  assert.equal(await podState('forced'), undefined);
});

test('delete --wait=false returns while the pod is still terminating', async () => {
  await kubectl().ok(['create', '-f', podFile('nowait', STUBBORN, { grace: 5 })]);
  await running('nowait');
  assert.equal((await kubectl().ok(['delete', 'pod', 'nowait', '--wait=false'])).trim(), 'pod "nowait" deleted');
  assert.equal((await podState('nowait'))?.deleting, true);
  await gone('nowait');
});

test('delete -l deletes every matching pod and -f deletes what a manifest names', async () => {
  for (const n of ['batch-1', 'batch-2']) await kubectl().ok(['create', '-f', podFile(n, SLEEPER, { labels: { app: 'batch' } })]);
  const keep = podFile('keep', SLEEPER);
  await kubectl().ok(['create', '-f', keep]);
  await running('batch-1');
  const out = await kubectl().ok(['delete', 'pods', '-l', 'app=batch'], { timeoutMs: 40_000 });
  assert.deepEqual(out.trim().split('\n').sort(), ['pod "batch-1" deleted', 'pod "batch-2" deleted']);
  assert.equal((await podState('keep'))?.deleting, false);
  assert.equal((await kubectl().ok(['delete', '-f', keep], { timeoutMs: 40_000 })).trim(), 'pod "keep" deleted');
  const none = await kubectl().run(['delete', 'pods', '-l', 'app=batch']);
  assert.equal(none.code, 0);
  assert.equal(none.stdout, 'No resources found\n', 'delete prints this on stdout, unlike get');
});
