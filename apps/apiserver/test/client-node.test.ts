// Issue 6: @kubernetes/client-node 2.x (the official JavaScript client) against Podling — generated CoreV1Api
// calls, KubernetesObjectApi (resolves kinds through /api/v1), Watch, an informer, patches, delete, logs, and (issue
// 13) Exec and Attach.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { makeTempDir, startApiserver, startKubelet, waitFor, type RunningApiserver, type RunningKubelet } from '@podling/testkit';

let tmp: ReturnType<typeof makeTempDir>;
let apiserver: RunningApiserver;
let kubelet: RunningKubelet;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
const namespace = 'default';

before(async () => {
  tmp = makeTempDir('podling-client-node-');
  // A short heartbeat lets one test see the bare-newline keepalive that stops client-node's 30 s idle abort.
  apiserver = await startApiserver({ dbPath: path.join(tmp.dir, 'db.sqlite'), args: ['--watch-heartbeat-interval', '300ms'] });
  mkdirSync(path.join(tmp.dir, 'kubelet'));
  kubelet = await startKubelet({ server: apiserver.url, nodeName: 'node-1', rootDir: path.join(tmp.dir, 'kubelet') });
  kc = new k8s.KubeConfig();
  // client-node refuses http:// clusters unless skipTLSVerify is set (kubectl-wire.md §15).
  kc.loadFromOptions({
    clusters: [{ name: 'podling', server: apiserver.url, skipTLSVerify: true }],
    users: [{ name: 'anonymous' }],
    contexts: [{ name: 'podling', cluster: 'podling', user: 'anonymous' }],
    currentContext: 'podling',
  });
  core = kc.makeApiClient(k8s.CoreV1Api);
});
after(async () => {
  await kubelet?.stop();
  await apiserver?.stop();
  tmp?.remove();
});

function pod(name: string, script = 'trap "exit 0" TERM; while true; do sleep 0.2; done', labels: Record<string, string> = { suite: 'client-node' }): k8s.V1Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
    spec: { terminationGracePeriodSeconds: 5, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script] }] },
  };
}

/** client-node throws ApiException with the raw response text as body; the Status is inside. */
async function statusOf(p: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: number; body: string };
    return { code: err.code, ...JSON.parse(err.body) };
  }
  throw new Error('expected the call to fail');
}

test('createNamespacedPod returns the created pod; a duplicate is a 409 AlreadyExists Status', async () => {
  const created = await core.createNamespacedPod({ namespace, body: pod('cn-1') });
  assert.equal(created.metadata?.name, 'cn-1');
  assert.ok(created.metadata?.uid);
  assert.ok(created.metadata?.creationTimestamp instanceof Date);
  const dup = await statusOf(core.createNamespacedPod({ namespace, body: pod('cn-1') }));
  assert.deepEqual([dup.code, dup.reason, dup.message], [409, 'AlreadyExists', 'pods "cn-1" already exists']);
});

test('readNamespacedPod of a missing pod is a 404 NotFound Status', async () => {
  const nf = await statusOf(core.readNamespacedPod({ name: 'nope', namespace }));
  assert.deepEqual([nf.code, nf.reason], [404, 'NotFound']);
});

test('listNamespacedPod filters by label and field selectors and carries a list resourceVersion', async () => {
  await core.createNamespacedPod({ namespace, body: pod('cn-other', undefined, { suite: 'other' }) });
  const list = await core.listNamespacedPod({ namespace, labelSelector: 'suite=client-node' });
  assert.ok(list.metadata?.resourceVersion);
  assert.deepEqual(list.items.map((p) => p.metadata?.name), ['cn-1']);
  const byName = await core.listNamespacedPod({ namespace, fieldSelector: 'metadata.name=cn-other' });
  assert.deepEqual(byName.items.map((p) => p.metadata?.name), ['cn-other']);
  const nodes = await core.listNode();
  assert.deepEqual(nodes.items.map((n) => n.metadata?.name), ['node-1']);
});

test('patchNamespacedPod applies JSON patches by default and merge patches via the Content-Type header', async () => {
  const jsonPatched = await core.patchNamespacedPod({ name: 'cn-1', namespace, body: [{ op: 'add', path: '/metadata/labels/j', value: '1' }] });
  assert.equal(jsonPatched.metadata?.labels?.j, '1');
  const merged = await core.patchNamespacedPod({ name: 'cn-1', namespace, body: { metadata: { labels: { m: '2' } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  assert.deepEqual([merged.metadata?.labels?.j, merged.metadata?.labels?.m], ['1', '2']);
  const smp = await core.patchNamespacedPod({ name: 'cn-1', namespace, body: { metadata: { labels: { j: null } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
  assert.equal(smp.metadata?.labels?.j, undefined);
});

test('KubernetesObjectApi creates, reads and patches by manifest (kind resolved through /api/v1)', async () => {
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  await objects.create(pod('cn-generic'));
  const read = await objects.read({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cn-generic', namespace } });
  assert.equal(read.metadata?.name, 'cn-generic');
  const patched = await objects.patch({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cn-generic', namespace, labels: { g: 'yes' } } },
    undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch);
  assert.equal(patched.metadata?.labels?.g, 'yes');
});

test('Watch delivers ADDED, MODIFIED and DELETED for a pod created, labelled and deleted', async () => {
  const seen: string[] = [];
  const watch = new k8s.Watch(kc);
  const list = await core.listNamespacedPod({ namespace });
  const req = await watch.watch(`/api/v1/namespaces/${namespace}/pods`,
    { resourceVersion: list.metadata?.resourceVersion, fieldSelector: 'metadata.name=cn-watch' },
    (type, obj: k8s.V1Pod) => seen.push(`${type} ${obj.metadata?.name}`), () => undefined);
  try {
    await core.createNamespacedPod({ namespace, body: pod('cn-watch') });
    await core.patchNamespacedPod({ name: 'cn-watch', namespace, body: [{ op: 'add', path: '/metadata/labels/w', value: '1' }] });
    await core.deleteNamespacedPod({ name: 'cn-watch', namespace, gracePeriodSeconds: 0 });
    await waitFor(() => seen.includes('DELETED cn-watch'), { message: `DELETED event; saw ${seen.join(', ')}` });
    assert.equal(seen[0], 'ADDED cn-watch');
    assert.ok(seen.includes('MODIFIED cn-watch'));
  } finally {
    req.abort();
  }
});

test('an idle watch receives heartbeat newlines, so client-node\'s 30 s inactivity timeout never fires', async () => {
  const ctrl = new AbortController();
  const res = await fetch(`${apiserver.url}/api/v1/namespaces/${namespace}/pods?watch=true&resourceVersion=${(await core.listNamespacedPod({ namespace })).metadata?.resourceVersion}&fieldSelector=metadata.name%3Didle`, { signal: ctrl.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const started = Date.now();
  try {
    const { value } = await reader.read();
    assert.equal(new TextDecoder().decode(value).trim(), '', 'the first bytes of an idle watch are a bare heartbeat');
    assert.ok(Date.now() - started < 5_000);
  } finally {
    ctrl.abort();
  }
});

test('an informer lists, then follows adds, updates and deletes', async () => {
  const events: string[] = [];
  const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/pods`,
    () => core.listNamespacedPod({ namespace, labelSelector: 'inf=yes' }), 'inf=yes');
  informer.on('add', (p) => events.push(`add ${p.metadata?.name}`));
  informer.on('update', (p) => events.push(`update ${p.metadata?.name}`));
  informer.on('delete', (p) => events.push(`delete ${p.metadata?.name}`));
  informer.on('error', (err) => events.push(`error ${String(err)}`));
  await core.createNamespacedPod({ namespace, body: pod('cn-inf-1', undefined, { inf: 'yes' }) });
  await informer.start();
  try {
    await waitFor(() => events.includes('add cn-inf-1'), { message: `listed pod; saw ${events.join(', ')}` });
    await core.createNamespacedPod({ namespace, body: pod('cn-inf-2', undefined, { inf: 'yes' }) });
    await waitFor(() => events.includes('add cn-inf-2'), { message: `added pod; saw ${events.join(', ')}` });
    await core.patchNamespacedPod({ name: 'cn-inf-2', namespace, body: [{ op: 'add', path: '/metadata/annotations', value: { a: 'b' } }] });
    await waitFor(() => events.includes('update cn-inf-2'), { message: `updated pod; saw ${events.join(', ')}` });
    await core.deleteNamespacedPod({ name: 'cn-inf-2', namespace, gracePeriodSeconds: 0 });
    await waitFor(() => events.includes('delete cn-inf-2'), { message: `deleted pod; saw ${events.join(', ')}` });
    assert.equal(informer.get('cn-inf-2', namespace), undefined);
    assert.equal(informer.get('cn-inf-1', namespace)?.metadata?.name, 'cn-inf-1');
    assert.ok(!events.some((e) => e.startsWith('error')), events.join(', '));
  } finally {
    await informer.stop();
  }
});

test('readNamespacedPodLog returns the container output; tailLines limits it', async () => {
  await core.createNamespacedPod({ namespace, body: pod('cn-logs', 'echo one; echo two; echo three; trap "exit 0" TERM; while true; do sleep 0.2; done') });
  const logs = await waitFor(async () => {
    const text = await core.readNamespacedPodLog({ name: 'cn-logs', namespace });
    return text.includes('three') ? text : undefined;
  }, { timeoutMs: 20_000, message: 'logs of cn-logs' });
  assert.equal(logs, 'one\ntwo\nthree\n');
  assert.equal(await core.readNamespacedPodLog({ name: 'cn-logs', namespace, tailLines: 2 }), 'two\nthree\n');
});

test('deleteNamespacedPod with options in the query deletes gracefully through the kubelet', async () => {
  await core.createNamespacedPod({ namespace, body: pod('cn-del') });
  await waitFor(async () => (await core.readNamespacedPod({ name: 'cn-del', namespace })).status?.phase === 'Running', { timeoutMs: 20_000, message: 'cn-del Running' });
  const deleting = await core.deleteNamespacedPod({ name: 'cn-del', namespace, gracePeriodSeconds: 3 }) as k8s.V1Pod;
  assert.ok(deleting.metadata?.deletionTimestamp, 'graceful delete returns the pod with a deletionTimestamp');
  assert.equal(deleting.metadata?.deletionGracePeriodSeconds, 3);
  await waitFor(async () => (await statusOf(core.readNamespacedPod({ name: 'cn-del', namespace })).catch(() => ({ code: 200 }))).code === 404,
    { timeoutMs: 20_000, message: 'cn-del removed after the kubelet stopped it' });
});

/** Collects what a client-node stream callback writes. */
function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => { text += d.toString(); });
  return { stream, text: () => text };
}

test('issue 13: Exec runs a command with stdin and reports its exit code in the Status', async () => {
  await core.createNamespacedPod({ namespace, body: pod('cn-exec') });
  await waitFor(async () => (await core.readNamespacedPod({ namespace, name: 'cn-exec' })).status?.phase === 'Running', { timeoutMs: 20_000, message: 'cn-exec Running' });
  const out = sink();
  const err = sink();
  const stdin = new PassThrough();
  const status = new Promise<k8s.V1Status>((resolve) => {
    void new k8s.Exec(kc).exec(namespace, 'cn-exec', 'main', ['sh', '-c', 'read line; echo "got $line"; echo oops >&2; exit 3'], out.stream, err.stream, stdin, false, resolve);
  });
  stdin.end('hello\n');
  const s = await status;
  assert.equal(s.status, 'Failure');
  assert.equal(s.reason, 'NonZeroExitCode');
  assert.equal(s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message, '3');
  await waitFor(() => out.text() === 'got hello\n' && err.text() === 'oops\n', { message: `exec output: ${JSON.stringify([out.text(), err.text()])}` });
});

test('issue 13: Attach streams the output of a running container', async () => {
  await core.createNamespacedPod({ namespace, body: pod('cn-attach', 'trap "exit 0" TERM; i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done') });
  await waitFor(async () => (await core.readNamespacedPod({ namespace, name: 'cn-attach' })).status?.phase === 'Running', { timeoutMs: 20_000, message: 'cn-attach Running' });
  const out = sink();
  const ws = await new k8s.Attach(kc).attach(namespace, 'cn-attach', 'main', out.stream, null, null, false);
  try {
    await waitFor(() => /tick \d+\ntick \d+\n/.test(out.text()), { message: `attached output: ${JSON.stringify(out.text())}` });
  } finally {
    ws.close();
  }
});

test('issue 13: Exec with a TTY gets a pseudo-terminal of the size the client sends on the resize channel', async () => {
  await waitFor(async () => (await core.readNamespacedPod({ namespace, name: 'cn-exec' })).status?.phase === 'Running', { timeoutMs: 20_000, message: 'cn-exec Running' });
  const out = sink();
  // A stream with rows and columns is what client-node takes for a terminal: it sends its size on channel 4.
  Object.assign(out.stream, { rows: 33, columns: 101 });
  const status = new Promise<k8s.V1Status>((resolve) => {
    void new k8s.Exec(kc).exec(namespace, 'cn-exec', 'main', ['sh', '-c', 'sleep 0.5; tty; stty size'], out.stream, null, null, true, resolve);
  });
  assert.equal((await status).status, 'Success');
  await waitFor(() => /\/dev\/pts\/\d+\r\n33 101\r\n/.test(out.text()), { message: `tty output: ${JSON.stringify(out.text())}` });
});
