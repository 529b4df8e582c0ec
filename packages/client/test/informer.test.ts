import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { Informer, KubeClient } from '../src/index.ts';
import { FakeApiserver } from './fake-apiserver.ts';

/** Handler calls as readable lines: "add a@101", "update a 101->102", "delete a@103". */
function record(informer: Informer<KubeObject>): string[] {
  const log: string[] = [];
  const at = (o: KubeObject) => `${o.metadata.name}@${o.metadata.resourceVersion}`;
  informer
    .on('add', (o) => { log.push(`add ${at(o)}`); })
    .on('update', (a, b) => { log.push(`update ${a.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`); })
    .on('delete', (o) => { log.push(`delete ${at(o)}`); });
  return log;
}

const names = (i: Informer<KubeObject>) => i.list().map((o) => o.metadata.name).sort();

describe('Informer', { timeout: 20_000 }, () => {
  let server: FakeApiserver;
  let informer: Informer<KubeObject>;
  let log: string[];
  beforeEach(async () => {
    server = new FakeApiserver();
    await server.start();
    informer = new Informer<KubeObject>(new KubeClient({ server: server.url }), { resource: 'pods', namespace: 'default' });
    log = record(informer);
  });
  afterEach(async () => {
    await informer.stop();
    await server.stop();
  });
  const watchCount = () => server.watchRequests().length;
  const connected = (n: number) => waitFor(() => watchCount() >= n && server.openWatches() === 1, { message: `watch #${n} connected` });

  test('start() resolves after the first list has been delivered as adds', async () => {
    server.upsert('a');
    server.upsert('b');
    await informer.start();
    assert.deepEqual(log, ['add a@101', 'add b@102']);
    assert.equal(informer.get('default', 'a')?.metadata.resourceVersion, '101');
    assert.equal(informer.lastSyncResourceVersion, '102');
  });

  test('issue 18: indexes (namespace, and one added later) follow adds, updates and deletes', async () => {
    server.upsert('a', { spec: { nodeName: 'n1' } });
    server.upsert('b', { spec: { nodeName: 'n1' } });
    await informer.start();
    informer.addIndex('node', (o) => [(o as KubeObject & { spec?: { nodeName?: string } }).spec?.nodeName ?? '']);
    const onNode = (n: string) => informer.byIndex('node', n).map((o) => o.metadata.name).sort();
    assert.deepEqual(onNode('n1'), ['a', 'b'], 'objects cached before the index was added are in it');
    assert.deepEqual(informer.listIn('default').map((o) => o.metadata.name).sort(), ['a', 'b']);
    assert.deepEqual(informer.listIn('other'), []);
    server.upsert('a', { spec: { nodeName: 'n2' } });
    server.remove('b');
    await waitFor(() => onNode('n2').length === 1 && onNode('n1').length === 0, { message: 'index moved a to n2 and dropped b' });
    assert.deepEqual(informer.listIn('default').map((o) => o.metadata.name), ['a']);
    assert.throws(() => informer.byIndex('nope', 'x'), /no index "nope"/);
  });

  test('watches from the list RV with bookmarks and a 5–10 minute server timeout, then follows events', async () => {
    server.upsert('a');
    await informer.start();
    await connected(1);
    const q = server.watchRequests()[0].searchParams;
    assert.equal(q.get('resourceVersion'), '101');
    assert.equal(q.get('allowWatchBookmarks'), 'true');
    const timeout = Number(q.get('timeoutSeconds'));
    assert.ok(timeout >= 300 && timeout <= 600, `timeoutSeconds=${timeout}`);
    server.upsert('a', { spec: { nodeName: 'n1' } });
    server.upsert('b');
    server.remove('a');
    await waitFor(() => log.length === 4, { message: `4 events, got ${JSON.stringify(log)}` });
    assert.deepEqual(log, ['add a@101', 'update a 101->102', 'add b@103', 'delete a@104']);
    assert.deepEqual(names(informer), ['b']);
  });

  test('a BOOKMARK moves the RV and a stream the server ends is rewatched from the last RV', async () => {
    await informer.start();
    await connected(1);
    server.upsert('a');
    await waitFor(() => log.length === 1);
    server.broadcastRaw({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '150' } } });
    await waitFor(() => informer.lastSyncResourceVersion === '150', { message: 'bookmark RV recorded' });
    server.endWatches();
    await connected(2);
    assert.equal(server.watchRequests()[1].searchParams.get('resourceVersion'), '150');
    assert.equal(server.requests.filter((r) => r.method === 'GET' && !r.url.searchParams.has('watch')).length, 1, 'no relist');
    assert.deepEqual(log, ['add a@101']);
  });

  test('never delivers the same RV twice', async () => {
    server.upsert('a');
    await informer.start();
    await connected(1);
    const b = server.upsert('b');
    await waitFor(() => log.length === 2);
    server.broadcastRaw({ type: 'ADDED', object: b });
    server.broadcastRaw({ type: 'MODIFIED', object: { ...b, metadata: { ...b.metadata, resourceVersion: '101' } } });
    server.upsert('c');
    await waitFor(() => log.length >= 3);
    assert.deepEqual(log, ['add a@101', 'add b@102', 'add c@103']);
  });

  test('an ERROR 410 event relists and delivers what changed while the watch was gone', async () => {
    server.upsert('keep');
    server.upsert('change');
    server.upsert('vanish');
    await informer.start();
    await connected(1);
    await server.stop('abrupt');
    server.upsert('change', { spec: { nodeName: 'n1' } });
    server.remove('vanish');
    server.upsert('new');
    server.compactedBelow = server.currentRv; // our RV (103) is now older than the history window
    await server.start();
    await waitFor(() => log.length === 6, { message: `relist diff, got ${JSON.stringify(log)}` });
    assert.deepEqual(log.slice(3), ['update change 102->104', 'add new@106', 'delete vanish@103']);
    await connected(3);
    assert.equal(informer.lastSyncResourceVersion, '106');
    assert.deepEqual(names(informer), ['change', 'keep', 'new']);
  });

  test('an HTTP 410 on the watch request relists too', async () => {
    server.upsert('a');
    await informer.start();
    await connected(1);
    server.nextWatchStatus = 410;
    server.endWatches();
    await waitFor(() => server.requests.filter((r) => r.method === 'GET' && !r.url.searchParams.has('watch')).length === 2, { message: 'relist' });
    await connected(3);
    assert.deepEqual(log, ['add a@101']);
  });

  test('survives a server restart: backs off while down, resumes from the last RV, sees every change once', async () => {
    server.upsert('a');
    await informer.start();
    await connected(1);
    await server.stop('graceful');
    const before = watchCount();
    // While the server is down the informer keeps retrying (and failing) with backoff.
    server.upsert('b');
    server.remove('a');
    await server.start();
    await waitFor(() => log.length === 3, { timeoutMs: 10_000, message: `events after restart, got ${JSON.stringify(log)}` });
    assert.deepEqual(log, ['add a@101', 'add b@102', 'delete a@103']);
    assert.ok(watchCount() > before);
    const resumed = server.watchRequests().at(-1)!.searchParams.get('resourceVersion');
    assert.equal(resumed, '101');
    server.upsert('c');
    await waitFor(() => log.length === 4);
    assert.deepEqual(names(informer), ['b', 'c']);
  });

  test('handler failures are logged and do not stop delivery', async () => {
    const errors: string[] = [];
    const client = new KubeClient({ server: server.url });
    const noisy = new Informer<KubeObject>(client, {
      resource: 'pods', namespace: 'default',
      logger: { debug() {}, info() {}, warn() {}, error: (_o, msg) => { errors.push(String(msg)); } },
      onAdd: (o) => { if (o.metadata.name === 'bad') throw new Error('boom'); },
    });
    const seen: string[] = [];
    noisy.on('add', async (o) => { seen.push(o.metadata.name!); if (o.metadata.name === 'bad') throw new Error('async boom'); });
    server.upsert('bad');
    server.upsert('good');
    await noisy.start();
    await waitFor(() => errors.length === 2, { message: 'both failures logged' });
    assert.deepEqual(seen, ['bad', 'good']);
    await noisy.stop();
  });

  test('start() rejects if stop() comes before the first list; retries while the server is down', async () => {
    await server.stop();
    let failures = 0;
    const quiet = () => {};
    const waiting = new Informer<KubeObject>(new KubeClient({ server: server.url }), {
      resource: 'pods', namespace: 'default',
      logger: { debug: quiet, info: quiet, error: quiet, warn: () => { failures++; } },
    });
    const p = waiting.start();
    await waitFor(() => failures >= 2, { message: 'list retried after a connection error' });
    await waiting.stop();
    await assert.rejects(p, /stopped before its first list/);
    await server.start();
  });
});
