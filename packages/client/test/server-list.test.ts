// A client given several apiservers (`--server a,b`) moves to the next one when the current one stops answering,
// and an informer resumes its watch there from the resourceVersion it had (issue 16: several apiservers). Two
// fake apiservers hold the same objects with the same RVs, as two apiservers on one store do.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { KubeObject } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { Informer, KubeClient, serverListProblems } from '../src/index.ts';
import { FakeApiserver } from './fake-apiserver.ts';

const pods = { resource: 'pods', namespace: 'default' };

/** A loopback port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('serverListProblems', () => {
  const cases: [string, string, string[]][] = [
    ['one URL', 'http://127.0.0.1:8080', []],
    ['a list with spaces and a trailing slash', 'https://a:6443/, https://b:6443', []],
    ['an empty list', ' , ', ['--server: needs at least one URL']],
    ['an entry that is no URL', 'http://a:1,nope', ['--server: "nope" is not a URL']],
    ['another scheme', 'ftp://a', ['--server: "ftp://a" is not an http:// or https:// URL']],
  ];
  for (const [name, value, want] of cases) test(name, () => assert.deepEqual(serverListProblems('--server', value), want));
});

test('a request to an apiserver that refuses connections goes to the next one, and later ones stay there', async () => {
  const b = new FakeApiserver();
  await b.start();
  try {
    b.upsert('p1');
    const client = new KubeClient({ server: `http://127.0.0.1:${await deadPort()},${b.url}` });
    // A POST is sent again only because a refused connection proves the first apiserver never saw it.
    await client.create(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2' } });
    const got = await client.get<KubeObject>(pods, 'p1');
    assert.equal(got.metadata.name, 'p1');
    assert.deepEqual(b.requests.map((r) => r.method), ['POST', 'GET']);
  } finally {
    await b.stop();
  }
});

test('with every apiserver down the caller gets the connection error, after each was tried once', async () => {
  const client = new KubeClient({ server: `http://127.0.0.1:${await deadPort()},http://127.0.0.1:${await deadPort()}` });
  await assert.rejects(client.get(pods, 'p1'), (err: Error & { code?: string }) => err.code === 'ECONNREFUSED');
});

test('an informer whose apiserver dies resumes its watch on the next one from the RV it had', { timeout: 30_000 }, async () => {
  const a = new FakeApiserver();
  const b = new FakeApiserver();
  await a.start();
  await b.start();
  try {
    for (const s of [a, b]) { s.upsert('p1'); s.upsert('p2'); }
    const client = new KubeClient({ server: `${a.url},${b.url}` });
    const seen: string[] = [];
    const informer = new Informer<KubeObject>(client, {
      resource: 'pods', namespace: 'default',
      onAdd: (o) => { seen.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`); },
      onUpdate: (_o, n) => { seen.push(`update ${n.metadata.name}@${n.metadata.resourceVersion}`); },
    });
    await informer.start();
    await waitFor(() => a.openWatches() === 1, { message: 'the informer watches the first apiserver' });
    const rvAtDeath = informer.lastSyncResourceVersion;
    await a.stop('abrupt');
    b.upsert('p3');
    await waitFor(() => seen.includes('add p3@103'), { timeoutMs: 10_000, message: `p3 arrives through the second apiserver (seen ${seen.join(', ')})` });
    // Resumed, not relisted: the second apiserver was asked to watch from the RV the informer had.
    assert.deepEqual(b.watchRequests().map((u) => u.searchParams.get('resourceVersion')), [rvAtDeath]);
    assert.equal(b.requests.filter((r) => r.method === 'GET' && r.url.searchParams.get('watch') !== 'true').length, 0);
    assert.deepEqual(seen, ['add p1@101', 'add p2@102', 'add p3@103']);
    await informer.stop();
  } finally {
    await b.stop();
  }
});

test('a request to an apiserver that accepts but never answers goes to the next one after the stall timeout', async () => {
  const held: net.Socket[] = [];
  const hung = net.createServer((s) => { held.push(s); s.on('error', () => {}); });
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  const b = new FakeApiserver();
  await b.start();
  try {
    b.upsert('p1');
    const client = new KubeClient({ server: `http://127.0.0.1:${(hung.address() as net.AddressInfo).port},${b.url}`, stallTimeoutMs: 300 });
    const started = Date.now();
    assert.equal((await client.get<KubeObject>(pods, 'p1')).metadata.name, 'p1');
    assert.ok(Date.now() - started < 5000, `answered after ${Date.now() - started} ms`);
    assert.equal(held.length, 1, 'the hung apiserver was tried first');
    await client.close();
  } finally {
    for (const s of held) s.destroy();
    hung.close();
    await b.stop();
  }
});
