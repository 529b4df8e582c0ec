import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError, type KubeObject } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { KubeClient, resourcePath, type WatchEventOf } from '../src/index.ts';
import { NdjsonSplitter } from '../src/ndjson-lines.ts';
import { FakeApiserver } from './fake-apiserver.ts';

const pods = { resource: 'pods', namespace: 'default' };

describe('resourcePath', () => {
  const cases: [string, Parameters<typeof resourcePath>, string][] = [
    ['namespaced collection', [{ resource: 'pods', namespace: 'ns1' }], '/api/v1/namespaces/ns1/pods'],
    ['namespaced object with subresource', [{ resource: 'pods', namespace: 'ns1' }, 'p', 'status'], '/api/v1/namespaces/ns1/pods/p/status'],
    ['cluster-scoped when namespace is empty', [{ resource: 'nodes', namespace: '' }, 'n1'], '/api/v1/nodes/n1'],
    ['all namespaces when namespace is undefined', [{ resource: 'pods' }], '/api/v1/pods'],
    ['leases live in coordination.k8s.io/v1', [{ resource: 'leases', namespace: 'kube-node-lease' }, 'n1'], '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1'],
  ];
  for (const [name, args, want] of cases) test(name, () => assert.equal(resourcePath(...args), want));
});

describe('NdjsonSplitter', () => {
  test('reassembles lines cut at every byte, skips heartbeats and accepts CRLF', () => {
    const text = '{"a":"é✓"}\n\n{"b":2}\r\n\n{"c":3}';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const out: unknown[] = [];
      const s = new NdjsonSplitter();
      s.push(bytes.subarray(0, cut), (v) => out.push(v));
      s.push(bytes.subarray(cut), (v) => out.push(v));
      s.end((v) => out.push(v));
      assert.deepEqual(out, [{ a: 'é✓' }, { b: 2 }, { c: 3 }], `cut at byte ${cut}`);
    }
  });

  test('a malformed line is an error, not a silently lost event', () => {
    assert.throws(() => new NdjsonSplitter().push(Buffer.from('{"a":\n'), () => {}), /malformed watch event line/);
  });
});

describe('KubeClient against a fake apiserver', { timeout: 20_000 }, () => {
  const server = new FakeApiserver();
  let client: KubeClient;
  before(async () => {
    await server.start();
    client = new KubeClient({ server: server.url + '/', token: 'sekret', fieldManager: 'tester' });
  });
  after(() => server.stop());
  const last = () => server.requests[server.requests.length - 1];

  test('sends the bearer token on every request', async () => {
    server.upsert('a');
    await client.get(pods, 'a');
    await client.list(pods, { labelSelector: 'app=x' });
    for (const r of server.requests.slice(-2)) assert.equal(r.headers.authorization, 'Bearer sekret');
    assert.equal(last().url.searchParams.get('labelSelector'), 'app=x');
  });

  test('create and update go to the object namespace when the ref has none', async () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'default' } };
    await client.create({ resource: 'pods' }, obj);
    assert.equal(`${last().method} ${last().url.pathname}`, 'POST /api/v1/namespaces/default/pods');
    await client.updateStatus({ resource: 'pods' }, obj);
    assert.equal(`${last().method} ${last().url.pathname}`, 'PUT /api/v1/namespaces/default/pods/b/status');
  });

  test('patch sends the content type of its patch type; apply adds fieldManager', async () => {
    const cases = [
      ['merge', 'application/merge-patch+json'], ['json', 'application/json-patch+json'],
      ['strategic', 'application/strategic-merge-patch+json'], ['apply', 'application/apply-patch+yaml'],
    ] as const;
    for (const [type, contentType] of cases) {
      await client.patch(pods, 'a', type === 'json' ? [{ op: 'add', path: '/x', value: 1 }] : { x: 1 }, type);
      assert.equal(last().method, 'PATCH');
      assert.equal(last().headers['content-type'], contentType);
      assert.equal(last().url.searchParams.get('fieldManager'), type === 'apply' ? 'tester' : null);
    }
    await client.patchStatus(pods, 'a', { status: { phase: 'Running' } });
    assert.equal(last().url.pathname, '/api/v1/namespaces/default/pods/a/status');
    assert.equal(last().headers['content-type'], 'application/merge-patch+json');
  });

  test('delete sends DeleteOptions as a JSON body', async () => {
    await client.delete(pods, 'a', { gracePeriodSeconds: 0, propagationPolicy: 'Background' });
    assert.equal(`${last().method} ${last().url.pathname}`, 'DELETE /api/v1/namespaces/default/pods/a');
    assert.equal(last().headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(last().body), { gracePeriodSeconds: 0, propagationPolicy: 'Background' });
  });

  test('deletes with DeleteOptions keep their connection (no TCP connect per delete)', async () => {
    const before = server.connections;
    for (let i = 0; i < 5; i++) await client.delete(pods, 'a', { preconditions: { uid: 'u1' } });
    assert.ok(server.connections - before <= 1, `${server.connections - before} connections for 5 deletes`);
  });

  test('bind posts a Binding to the binding subresource', async () => {
    await client.bind('default', 'a', 'node-1');
    assert.equal(`${last().method} ${last().url.pathname}`, 'POST /api/v1/namespaces/default/pods/a/binding');
    assert.deepEqual(JSON.parse(last().body), {
      apiVersion: 'v1', kind: 'Binding', metadata: { name: 'a', namespace: 'default' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
    });
  });

  test('a Status body becomes a StatusError with the same code, reason, message and details', async () => {
    const err = await client.get(pods, 'missing').catch((e: unknown) => e);
    assert.ok(isStatusError(err));
    assert.equal(err.code, 404);
    assert.equal(err.reason, 'NotFound');
    assert.equal(err.message, 'pods "missing" not found');
    assert.deepEqual(err.status.details, { name: 'missing', kind: 'pods' });
  });

  test('a non-Status body becomes a StatusError with the HTTP code and the text', async () => {
    const text = await client.get(pods, 'text500').catch((e: unknown) => e);
    assert.ok(isStatusError(text));
    assert.equal(text.code, 500);
    assert.equal(text.reason, 'InternalError');
    assert.equal(text.message, 'oops: database on fire');
    const json = await client.get(pods, 'json400').catch((e: unknown) => e);
    assert.ok(isStatusError(json));
    assert.equal(json.code, 400);
    assert.equal(json.reason, 'BadRequest');
  });

  test('a network error propagates as a plain Error', async () => {
    const down = new FakeApiserver();
    await down.start();
    await down.stop();
    const err = await new KubeClient({ server: down.url }).get(pods, 'a').catch((e: unknown) => e);
    assert.ok(err instanceof Error);
    assert.ok(!isStatusError(err));
  });

  test('watch delivers events in order across split chunks and heartbeats; stop() resolves done', async () => {
    const from = String(server.currentRv);
    const seen: WatchEventOf<KubeObject>[] = [];
    const w = client.watch(pods, { resourceVersion: from, allowWatchBookmarks: true }, (ev) => seen.push(ev));
    await waitFor(() => server.openWatches() === 1, { message: 'watch connected' });
    server.upsert('w1');
    server.upsert('w1', { spec: { nodeName: 'n' } });
    server.remove('w1');
    await waitFor(() => seen.length === 3, { message: 'three events' });
    assert.deepEqual(seen.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    assert.equal((seen[0].object as KubeObject).metadata.annotations?.note, 'héllo ✓ — ünïcode');
    const q = server.watchRequests().at(-1)!.searchParams;
    assert.equal(q.get('watch'), 'true');
    assert.equal(q.get('resourceVersion'), from);
    assert.equal(q.get('allowWatchBookmarks'), 'true');
    w.stop();
    await w.done;
    await waitFor(() => server.openWatches() === 0, { message: 'server saw the watch close' });
  });

  test('watch done resolves when the server ends the stream', async () => {
    const w = client.watch(pods, { resourceVersion: String(server.currentRv) }, () => {});
    await waitFor(() => server.openWatches() === 1, { message: 'watch connected' });
    server.endWatches();
    await w.done;
  });

  test('watch done rejects with a StatusError on a non-200 answer', async () => {
    server.nextWatchStatus = 410;
    const w = client.watch(pods, { resourceVersion: '1' }, () => {});
    const err = await w.done.catch((e: unknown) => e);
    assert.ok(isStatusError(err));
    assert.equal(err.code, 410);
    assert.equal(err.reason, 'Expired');
  });

  test('watch done rejects when the connection breaks mid-stream', async () => {
    const flaky = new FakeApiserver();
    await flaky.start();
    const w = new KubeClient({ server: flaky.url }).watch(pods, { resourceVersion: '100' }, () => {});
    await waitFor(() => flaky.openWatches() === 1, { message: 'watch connected' });
    await flaky.stop('abrupt');
    await assert.rejects(w.done);
  });
});
