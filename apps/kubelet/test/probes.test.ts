// Issue 13: probes and postStart on a real agent. Containers are host processes: the http/grpc targets are
// fixtures/probe-target.mjs run by node, exec probes test files under a per-run /tmp directory the test creates and
// removes. Ports are picked free by the test just before the pod is created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Container, KubeEvent, Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { create, podManifest, startAgentCluster, type AgentCluster } from './cluster-fixture.ts';

const TARGET = fileURLToPath(new URL('./fixtures/probe-target.mjs', import.meta.url));
const sleeper = (extra: Partial<Container> = {}): Container => ({ name: 'app', image: 'busybox', command: ['sleep', '3600'], ...extra });
const target = (kind: 'http' | 'grpc', port: number, extra: Partial<Container> = {}): Container =>
  ({ name: 'app', image: 'probe-target', command: [process.execPath, TARGET, kind, String(port)], ...extra });
const cs = (p: Pod) => p.status?.containerStatuses?.[0];
const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type)?.status;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

function tmpFiles(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'podling-probe-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function waitEvent(c: AgentCluster, pod: string, match: (e: KubeEvent) => boolean, what: string): Promise<KubeEvent> {
  let seen: string[] = [];
  try {
    return await waitFor(async () => {
      const evs = (await c.client.list<KubeEvent>({ resource: 'events', namespace: 'default' })).items.filter((e) => e.involvedObject.name === pod);
      seen = evs.map((e) => `${e.type} ${e.reason}: ${e.message}`);
      return evs.find(match);
    }, { timeoutMs: 15_000, message: what });
  } catch (e) {
    throw new Error(`${(e as Error).message}; events of ${pod}:\n${seen.join('\n')}`);
  }
}

test('issue 13: readiness follows an exec probe; the pod is Ready only while it passes', async (t) => {
  const c = await startAgentCluster(t);
  const dir = tmpFiles(t);
  const flag = path.join(dir, 'ready');
  await create(c, podManifest('ready', { containers: [sleeper({ readinessProbe: { exec: { command: ['test', '-f', flag] }, periodSeconds: 1 } })] }));
  let p = await c.waitPod('ready', (x) => cs(x)?.state.running !== undefined);
  assert.equal(cs(p)!.ready, false);
  assert.equal(cs(p)!.started, true);
  assert.equal(cond(p, 'Ready'), 'False');
  await waitEvent(c, 'ready', (e) => e.reason === 'Unhealthy' && e.message === 'Readiness probe failed: ' && e.type === 'Warning', 'a Readiness probe failed event');
  writeFileSync(flag, '');
  p = await c.waitPod('ready', (x) => cs(x)?.ready === true && cond(x, 'Ready') === 'True' && cond(x, 'ContainersReady') === 'True');
  rmSync(flag);
  p = await c.waitPod('ready', (x) => cs(x)?.ready === false);
  await create(c, podManifest('slow-probe', { containers: [sleeper({ readinessProbe: { exec: { command: ['sleep', '5'] }, timeoutSeconds: 1, periodSeconds: 1 } })] }));
  await waitEvent(c, 'slow-probe', (e) => e.message === 'Readiness probe failed: command "sleep 5" timed out', 'an exec probe timeout');
  assert.equal(p.status!.conditions!.find((x) => x.type === 'Ready')!.message, 'containers with unready status: [app]');
  assert.equal(cs(p)!.restartCount, 0, 'a readiness failure never restarts');
});

test('issue 13: a failing liveness probe restarts the container with Unhealthy and Killing events', async (t) => {
  const c = await startAgentCluster(t);
  const dir = tmpFiles(t);
  await create(c, podManifest('live', { containers: [sleeper({
    livenessProbe: { exec: { command: ['sh', '-c', `echo not alive >&2; test -f ${dir}/alive`] }, periodSeconds: 1, failureThreshold: 2, terminationGracePeriodSeconds: 2 },
  })] }));
  const p = await c.waitPod('live', (x) => (cs(x)?.restartCount ?? 0) >= 1 && cs(x)?.state.running !== undefined);
  assert.equal(cs(p)!.lastState.terminated?.exitCode, 143);
  assert.equal(cs(p)!.lastState.terminated?.reason, 'Error');
  await waitEvent(c, 'live', (e) => e.reason === 'Unhealthy' && e.message === 'Liveness probe failed: not alive\n', 'Unhealthy: Liveness probe failed');
  await waitEvent(c, 'live', (e) => e.reason === 'Killing' && e.type === 'Normal' && e.message === 'Container app failed liveness probe, will be restarted', 'Killing event');
});

test('issue 13: httpGet and tcpSocket probes against the pod address, by port name and number', async (t) => {
  const c = await startAgentCluster(t);
  const [web, closed] = [await freePort(), await freePort()];
  await create(c, podManifest('web', { containers: [target('http', web, {
    ports: [{ name: 'http', containerPort: web }],
    readinessProbe: { httpGet: { path: '/redirect', port: 'http', httpHeaders: [{ name: 'X-Probe', value: '1' }] }, periodSeconds: 1 },
    livenessProbe: { tcpSocket: { port: web }, periodSeconds: 1, initialDelaySeconds: 1 },
  })] }));
  await c.waitPod('web', (x) => cs(x)?.ready === true && cond(x, 'Ready') === 'True');
  const bad = await freePort();
  await create(c, podManifest('web-bad', { containers: [target('http', bad, {
    readinessProbe: { httpGet: { path: '/nope', port: bad }, periodSeconds: 1 },
    livenessProbe: { tcpSocket: { port: closed }, periodSeconds: 1, failureThreshold: 100 },
  })] }));
  await waitEvent(c, 'web-bad', (e) => e.message === 'Readiness probe failed: HTTP probe failed with statuscode: 503', 'an HTTP 503 readiness failure');
  await waitEvent(c, 'web-bad', (e) => new RegExp(`^Liveness probe failed: dial tcp [\\d.]+:${closed}: connect: connection refused$`).test(e.message ?? ''), 'a refused tcpSocket');
  await create(c, podManifest('web-noname', { containers: [sleeper({ readinessProbe: { httpGet: { port: 'metrics' }, periodSeconds: 1 } })] }));
  await waitEvent(c, 'web-noname', (e) => e.message === 'Readiness probe errored and resulted in unknown state: port metrics not found', 'an errored probe');
  assert.equal(cs(await c.pod('default', 'web-bad'))!.ready, false);
});

test('issue 13: the startup probe gates readiness; a failing one restarts the container', async (t) => {
  const c = await startAgentCluster(t);
  const dir = tmpFiles(t);
  await create(c, podManifest('slow', { containers: [sleeper({
    startupProbe: { exec: { command: ['test', '-f', `${dir}/started`] }, periodSeconds: 1, failureThreshold: 600 },
    readinessProbe: { exec: { command: ['true'] }, periodSeconds: 60 },
  })] }));
  await create(c, podManifest('never', { containers: [sleeper({
    startupProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 2, terminationGracePeriodSeconds: 1 },
  })] }));
  let p = await c.waitPod('slow', (x) => cs(x)?.state.running !== undefined);
  assert.deepEqual([cs(p)!.started, cs(p)!.ready], [false, false]);
  await waitEvent(c, 'slow', (e) => e.message === 'Startup probe failed: ', 'a Startup probe failure');
  p = await c.pod('default', 'slow');
  assert.deepEqual([cs(p)!.started, cs(p)!.ready], [false, false], 'readiness waits for the startup probe');
  writeFileSync(path.join(dir, 'started'), '');
  await c.waitPod('slow', (x) => cs(x)?.started === true && cs(x)?.ready === true);
  await waitEvent(c, 'never', (e) => e.reason === 'Killing' && e.message === 'Container app failed startup probe, will be restarted', 'Killing for startup');
  await c.waitPod('never', (x) => (cs(x)?.restartCount ?? 0) >= 1);
});

test('issue 13: a grpc probe calls grpc.health.v1.Health/Check', async (t) => {
  const c = await startAgentCluster(t);
  const port = await freePort();
  await create(c, podManifest('grpc', { containers: [
    target('grpc', port, { readinessProbe: { grpc: { port }, periodSeconds: 1 } }),
    sleeper({ name: 'down', readinessProbe: { grpc: { port, service: 'down' }, periodSeconds: 1 } }),
  ] }));
  await waitEvent(c, 'grpc', (e) => e.message === 'Readiness probe failed: service unhealthy (responded with "NOT_SERVING")', 'a NOT_SERVING failure');
  const p = await c.waitPod('grpc', (x) => x.status?.containerStatuses?.find((s) => s.name === 'app')?.ready === true);
  assert.equal(p.status!.containerStatuses!.find((s) => s.name === 'down')!.ready, false);
  assert.equal(cond(p, 'ContainersReady'), 'False');
});

test('issue 13: postStart runs before the container counts as started; a failing one kills it', async (t) => {
  const c = await startAgentCluster(t);
  const dir = tmpFiles(t);
  const marker = path.join(dir, 'hooked');
  await create(c, podManifest('hooked', { containers: [sleeper({ lifecycle: { postStart: { exec: { command: ['sh', '-c', `sleep 1; echo "$HOSTNAME" > ${marker}`] } } } })] }));
  await create(c, podManifest('hook-fails', { containers: [sleeper({ lifecycle: { postStart: { exec: { command: ['sh', '-c', 'exit 3'] } } } })] }));
  const p = await c.waitPod('hooked', (x) => cs(x)?.state.running !== undefined);
  assert.ok(existsSync(marker), 'the hook had finished when the container was first reported running');
  assert.equal(cs(p)!.started, true);
  await waitEvent(c, 'hook-fails', (e) => e.reason === 'FailedPostStartHook' && e.type === 'Warning' && e.message === 'PostStartHook failed', 'FailedPostStartHook');
  await waitEvent(c, 'hook-fails', (e) => e.reason === 'Killing' && e.message === 'FailedPostStartHook', 'Killing after the hook');
  await c.waitPod('hook-fails', (x) => (cs(x)?.restartCount ?? 0) >= 1);
});

test('issue 13: httpGet hooks and probes reach the pod address with the kubelet user agents; probes stop with the pod', async (t) => {
  const c = await startAgentCluster(t);
  const hits = new Map<string, string[]>();
  const srv = http.createServer((req, res) => {
    hits.set(req.url!, [...(hits.get(req.url!) ?? []), String(req.headers['user-agent'])]);
    res.end('ok');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const port = (srv.address() as net.AddressInfo).port;
  const probe = (p: string) => ({ httpGet: { path: p, port }, periodSeconds: 1 });
  // On the host's network, the pod's address is the node's, where this test's server listens (issue 19).
  await create(c, podManifest('gone', { hostNetwork: true, containers: [sleeper({ readinessProbe: probe('/gone'), lifecycle: { postStart: { httpGet: { path: '/hook', port } } } })] }));
  await create(c, podManifest('stays', { hostNetwork: true, containers: [sleeper({ readinessProbe: probe('/stays') })] }));
  await create(c, podManifest('hook-refused', { containers: [sleeper({ lifecycle: { postStart: { httpGet: { path: '/x', port: await freePort() } } } })] }));
  await c.waitPod('gone', (x) => cs(x)?.ready === true);
  assert.deepEqual(hits.get('/hook'), ['kube-lifecycle/1.32']);
  assert.equal(hits.get('/gone')![0], 'kube-probe/1.32');
  await waitEvent(c, 'hook-refused', (e) => e.reason === 'FailedPostStartHook', 'FailedPostStartHook for a refused httpGet hook');
  await c.client.delete({ resource: 'pods', namespace: 'default' }, 'gone');
  await waitFor(async () => !(await c.client.list<Pod>({ resource: 'pods', namespace: 'default' })).items.some((p) => p.metadata.name === 'gone'), { message: 'gone deleted' });
  const after = hits.get('/gone')!.length;
  const stays = hits.get('/stays')!.length;
  await waitFor(() => hits.get('/stays')!.length >= stays + 3, { message: 'three more probes of the pod that stays' });
  assert.equal(hits.get('/gone')!.length, after, 'no probe of a deleted pod');
});

test('issue 13: a restarted agent probes the containers it adopts, without restarting them', async (t) => {
  const c = await startAgentCluster(t);
  const dir = tmpFiles(t);
  writeFileSync(path.join(dir, 'ready'), '');
  await create(c, podManifest('adopted', { containers: [sleeper({
    readinessProbe: { exec: { command: ['test', '-f', `${dir}/ready`] }, periodSeconds: 1 },
    livenessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
  })] }));
  await c.waitPod('adopted', (x) => cs(x)?.ready === true);
  const agent = c.agents.pop()!;
  assert.equal(await agent.process.stop(10_000), 0);
  await c.addAgent('node-a', undefined, agent.rootDir);
  rmSync(path.join(dir, 'ready'));
  const p = await c.waitPod('adopted', (x) => cs(x)?.ready === false);
  assert.equal(cs(p)!.restartCount, 0);
  writeFileSync(path.join(dir, 'ready'), '');
  await c.waitPod('adopted', (x) => cs(x)?.ready === true && cs(x)!.restartCount === 0);
});
