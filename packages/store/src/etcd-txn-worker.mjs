// The worker thread of etcd-txn-thread.ts: runs the etcd backend's write transactions on its own etcd3 client, so
// the per-call work of grpc-js, HTTP/2 and protobufjs (about a third of an apiserver's CPU per create on etcd) runs
// beside the apiserver's event loop instead of on it. Plain JavaScript, so it loads the same under tsx and from the
// test bundles (which run without tsx). Messages are arrays of plain values; see etcd-txn-thread.ts for their shape.
import { parentPort, workerData } from 'node:worker_threads';
import { Etcd3, GRPCDeadlineExceededError } from 'etcd3';
import { attemptsInTurn } from './etcd-attempts.mjs';

/** @type {{ hosts: string[], attemptMs: number, attempts: number, tls?: { ca?: Uint8Array, cert?: Uint8Array, key?: Uint8Array } }} */
const o = workerData;
const buf = (u) => (u ? Buffer.from(u.buffer, u.byteOffset, u.byteLength) : undefined);
/** A transaction's attempts, counted: a resent one whose first attempt landed must be told apart (etcd-storage.ts). */
const attempts = attemptsInTurn(o.attempts);
const client = new Etcd3({
  hosts: o.hosts,
  // Each attempt gets its share of the request's deadline, as the main thread's client does (etcd-storage.ts).
  defaultCallOptions: () => ({ deadline: Date.now() + o.attemptMs }),
  faultHandling: { global: attempts.policy },
  ...(o.tls && (o.tls.ca || o.tls.cert) ? { credentials: { rootCertificate: buf(o.tls.ca), certChain: buf(o.tls.cert), privateKey: buf(o.tls.key) } } : {}),
});

parentPort.on('message', (requests) => { for (const r of requests) void run(r); });

/** Replies of this turn, sent as one message (the main thread batches its requests the same way). */
let outbox = [];
function reply(r) {
  if (outbox.length === 0) setImmediate(() => { const batch = outbox; outbox = []; parentPort.postMessage(batch); });
  outbox.push(r);
}

/** [id, key, rv, value|null]: put `value` (JSON text; null: delete) if the key's mod_revision is `rv`; else read the key. */
async function run([id, key, rv, value]) {
  const kb = Buffer.from(key);
  const op = value ? { request_put: { key: kb, value: Buffer.from(value) } } : { request_delete_range: { key: kb } };
  try {
    const { result: res, attempts: made } = await attempts.run(() => client.kv.txn({
      compare: [{ key: kb, target: 'Mod', result: 'Equal', mod_revision: rv }],
      success: [op], failure: [{ request_range: { key: kb } }],
    }));
    const kv = res.succeeded ? undefined : res.responses[0]?.response_range?.kvs[0];
    reply([id, true, res.succeeded, Number(res.header.revision), made > 1, kv ? new Uint8Array(kv.value) : null, kv ? Number(kv.mod_revision) : 0]);
  } catch (err) {
    reply([id, false, err instanceof GRPCDeadlineExceededError, err instanceof Error ? err.message : String(err)]);
  }
}
