// maxRequestsInFlight: a client's typed calls beyond the limit wait in the client, in order, and its watches are
// not counted against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@podling/testkit';
import { KubeClient } from '../src/index.ts';
import { RequestSlots } from '../src/request-slots.ts';

/** A server that holds every GET of a node until the test answers it, and records when each arrived. */
async function holdingServer() {
  const held: { name: string; res: http.ServerResponse }[] = [];
  const arrived: string[] = [];
  let watches = 0;
  let connections = 0;
  let running = 0;
  let maxRunning = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.searchParams.get('watch') === 'true') {
      watches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      return;
    }
    const name = url.pathname.split('/').pop()!;
    arrived.push(name);
    running++;
    maxRunning = Math.max(maxRunning, running);
    held.push({ name, res });
  });
  server.on('connection', () => { connections++; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held, arrived,
    get watches() { return watches; },
    get connections() { return connections; },
    get maxRunning() { return maxRunning; },
    answerOldest() {
      const { name, res } = held.shift()!;
      running--;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name } }));
    },
    close() { server.closeAllConnections(); server.close(); },
  };
}

test('a client with maxRequestsInFlight 2 has two calls at the server at once, the rest wait in order; watches do not count', async (t) => {
  const server = await holdingServer();
  t.after(() => server.close());
  const client = new KubeClient({ server: server.url, maxRequestsInFlight: 2 });
  t.after(() => client.close());
  const names = ['n0', 'n1', 'n2', 'n3', 'n4'];
  const calls = names.map((n) => client.get({ resource: 'nodes' }, n));

  await waitFor(() => server.held.length === 2, { timeoutMs: 5000, message: 'two calls at the server' });
  const watch = client.watch({ resource: 'nodes' }, {}, () => {});
  t.after(() => watch.stop());
  watch.done.catch(() => {}); // the server's close at the end may end it first
  await waitFor(() => server.watches === 1, { timeoutMs: 5000, message: 'the watch reaches the server while both slots are busy' });
  assert.deepEqual(server.arrived, ['n0', 'n1']);

  for (let answered = 0; answered < names.length; answered++) {
    server.answerOldest();
    const expected = Math.min(names.length - answered - 1, 2);
    await waitFor(() => server.held.length === expected, { timeoutMs: 5000, message: `${expected} calls held after ${answered + 1} answers` });
  }
  assert.deepEqual((await Promise.all(calls)).map((n) => n.metadata.name), names);
  assert.deepEqual(server.arrived, names, 'calls reach the server in the order they were made');
  assert.equal(server.maxRunning, 2);
  assert.equal(server.connections, 3, 'two connections for the calls, one for the watch');
});

test('request slots: a failed call frees its slot for the next waiter, and a limit below 1 is refused', async () => {
  assert.throws(() => new RequestSlots(0), RangeError);
  const slots = new RequestSlots(1);
  const order: string[] = [];
  let fail!: (e: Error) => void;
  const first = slots.run(() => new Promise<void>((_, reject) => { fail = reject; }));
  const second = slots.run(async () => { order.push('second'); });
  assert.deepEqual(slots.load, { running: 1, waiting: 1 });
  fail(new Error('boom'));
  await assert.rejects(first, /boom/);
  await second;
  assert.deepEqual(order, ['second']);
  assert.deepEqual(slots.load, { running: 0, waiting: 0 });
});
