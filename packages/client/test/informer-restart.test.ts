// An informer must ride out an apiserver restart: the server is stopped with SIGTERM and started again on the
// same SQLite file and port; the informer backs off while it is down, then resumes (rewatch, or relist on 410)
// and its handlers see every change exactly once, ending with a cache equal to a fresh list. The ground truth is
// the server's own history: a plain watch from the informer's first list RV, replayed after the fact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { KubeObject } from '@podling/api';
import { makeTempDir, startApiserver, waitFor, type RunningApiserver } from '@podling/testkit';
import { Informer, KubeClient } from '../src/index.ts';

const pods = { resource: 'pods', namespace: 'default' };
const pod = (name: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] },
});
const line = (type: string, o: KubeObject) => `${type} ${o.metadata.name}@${o.metadata.resourceVersion}`;

/** Every pod change the server recorded after `fromRv` up to `toRv` (an RV of a pod change), as handler-log lines. */
async function history(client: KubeClient, fromRv: string, toRv: string): Promise<string[]> {
  const out: string[] = [];
  const verb = { ADDED: 'add', MODIFIED: 'update', DELETED: 'delete' } as Record<string, string>;
  let last = fromRv;
  const w = client.watch<KubeObject>(pods, { resourceVersion: fromRv }, (ev) => {
    const o = ev.object as KubeObject;
    if (verb[ev.type]) out.push(line(verb[ev.type], o));
    last = o.metadata.resourceVersion ?? last;
  });
  await waitFor(() => Number(last) >= Number(toRv), { message: `history replay reached ${toRv} (at ${last})` });
  w.stop();
  await w.done;
  return out;
}

test('an informer sees every change exactly once across an apiserver restart on the same db and port', { timeout: 90_000 }, async (t) => {
  const tmp = makeTempDir();
  const dbPath = path.join(tmp.dir, 'podling.db');
  const args = ['--controllers', 'none'];
  let srv: RunningApiserver | undefined = await startApiserver({ dbPath, args });
  const port = srv.port;
  const client = new KubeClient({ server: srv.url });
  let connectionFailures = 0;
  const quiet = () => {};
  const informer = new Informer<KubeObject>(client, {
    ...pods, logger: { debug: quiet, info: quiet, error: quiet, warn: () => { connectionFailures++; } },
  });
  const log: string[] = [];
  informer
    .on('add', (o) => { log.push(line('add', o)); })
    .on('update', (_old, o) => { log.push(line('update', o)); })
    .on('delete', (o) => { log.push(line('delete', o)); });
  t.after(async () => {
    await informer.stop();
    await srv?.stop();
    tmp.remove();
  });
  const has = (prefix: string) => log.some((l) => l.startsWith(prefix));

  try {
    await informer.start();
    const startRv = informer.lastSyncResourceVersion;
    for (const name of ['p1', 'p2', 'p3']) await client.create(pods, pod(name));
    const one = await client.patch<KubeObject>(pods, 'p2', { metadata: { labels: { step: 'one' } } });
    await waitFor(() => has(line('update', one)), { message: `update before the restart; log=${JSON.stringify(log)}` });

    await srv.stop();
    srv = undefined;
    await waitFor(() => connectionFailures > 0, { message: 'informer noticed the apiserver was gone' });
    srv = await startApiserver({ dbPath, args, port });
    assert.equal(srv.port, port);

    await client.create(pods, pod('p4'));
    await client.create(pods, pod('p5'));
    await client.delete(pods, 'p1');
    const two = await client.patch<KubeObject>(pods, 'p2', { metadata: { labels: { step: 'two' } } });
    await waitFor(() => has(line('update', two)), { timeoutMs: 20_000, message: `updates after the restart; log=${JSON.stringify(log)}` });

    const fresh = await client.list<KubeObject>(pods);
    const summary = (objs: KubeObject[]) => objs.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
    assert.deepEqual(summary(informer.list()), summary(fresh.items));
    assert.deepEqual(log, await history(client, startRv, two.metadata.resourceVersion!));
    assert.ok(has('delete p1@'), 'p1 deletion seen');
    assert.ok(['add p4', 'add p5'].every((p) => has(p)), 'creates after the restart seen');
  } catch (err) {
    if (srv) process.stderr.write(srv.process.output().slice(-4000));
    throw err;
  }
});
