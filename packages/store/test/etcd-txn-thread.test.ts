// The etcd backend's write thread (etcd-txn-thread.ts) on a real one-member etcd: the outcomes the store relies on
// (a create-if-absent that lands, one that finds the key and returns its value and revision, a compared delete),
// errors that keep their kind across the thread, and close() ending the thread and every call in flight.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GRPCDeadlineExceededError } from 'etcd3';
import { freePort, startEtcdCluster, type EtcdCluster } from '@podling/testkit';
import { EtcdTxnThread } from '../src/etcd-txn-thread.ts';

let etcd: EtcdCluster;
let thread: EtcdTxnThread;
before(async () => {
  etcd = await startEtcdCluster();
  thread = new EtcdTxnThread({ hosts: etcd.endpoints, attemptMs: 3000, attempts: 3 });
});
after(async () => { await thread.close(); await etcd.stop(); });

test('a create-if-absent lands once; the second finds the key, its bytes and its revision; a compared delete', async () => {
  const value = JSON.stringify({ kind: 'Pod', metadata: { name: 'p', annotations: { note: 'ünïcode' } } });
  const first = await thread.txn('/t/pods/ns/p', 0, value);
  assert.equal(first.succeeded, true);
  assert.equal(first.current, undefined);
  const again = await thread.txn('/t/pods/ns/p', 0, '{}');
  assert.equal(again.succeeded, false);
  assert.equal(again.current?.modRevision, first.revision);
  assert.equal(again.current?.value.toString('utf8'), value, 'the stored bytes come back exactly');
  assert.equal((await thread.txn('/t/pods/ns/p', first.revision - 1, undefined)).succeeded, false, 'a stale delete is refused');
  const deleted = await thread.txn('/t/pods/ns/p', first.revision, undefined);
  assert.equal(deleted.succeeded, true);
  assert.ok(deleted.revision > first.revision);
});

test('an unreachable etcd fails the call after its attempts, as a deadline or not, and close() ends the thread', async () => {
  const port = await freePort();
  const down = new EtcdTxnThread({ hosts: [`http://127.0.0.1:${port}`], attemptMs: 300, attempts: 2 });
  const err = await down.txn('/t/x', 0, '{}').then(() => undefined, (e: Error) => e);
  assert.ok(err instanceof Error, 'the call fails');
  assert.match(err.message, /\S/);
  await down.close();
  await assert.rejects(down.txn('/t/x', 0, '{}'), /closed/);
  // A member that accepts the connection and never answers runs each attempt out: a deadline, which the store turns
  // into 504 (etcd-errors.ts), so its kind must survive the thread.
  const silent = (await import('node:net')).createServer(() => {}).listen(0, '127.0.0.1');
  await new Promise((r) => silent.once('listening', r));
  const mute = new EtcdTxnThread({ hosts: [`http://127.0.0.1:${(silent.address() as { port: number }).port}`], attemptMs: 300, attempts: 2 });
  try {
    await assert.rejects(mute.txn('/t/x', 0, '{}'), (e) => e instanceof GRPCDeadlineExceededError);
  } finally {
    await mute.close();
    silent.close();
  }
});

test('with members that went silent, each attempt of a transaction goes to another member, so the live one takes it', async () => {
  // Two members that accept connections and never answer (a machine cut off mid-connection), and the live one.
  const net = await import('node:net');
  const silent = [net.createServer(() => {}).listen(0, '127.0.0.1'), net.createServer(() => {}).listen(0, '127.0.0.1')];
  await Promise.all(silent.map((s) => new Promise((r) => s.once('listening', r))));
  const hosts = [...silent.map((s) => `http://127.0.0.1:${(s.address() as { port: number }).port}`), ...etcd.endpoints];
  const shaky = new EtcdTxnThread({ hosts, attemptMs: 300, attempts: 3 });
  try {
    // Before any member's breaker opens, an attempt picked at random would meet a silent member three times in
    // eight of 27 calls; taken in turn, the third attempt at the latest reaches the live one.
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => shaky.txn(`/t/rotate/${i}`, 0, '{}')));
    assert.deepEqual(outcomes.map((r) => r.succeeded), outcomes.map(() => true));
  } finally {
    await shaky.close();
    for (const s of silent) s.close();
  }
});
