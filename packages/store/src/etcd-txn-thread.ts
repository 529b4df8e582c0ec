// The etcd backend's write transactions, run on a worker thread (etcd-txn-worker.mjs) with its own etcd3 client.
// A profile of creates on etcd put ~27% of the apiserver's CPU in the etcd client's libraries and much of ~28% in
// Node's HTTP/2 and streams, all on the event loop that also serves HTTP and applies the watch; on the worker it
// uses another core. The messages are arrays of plain values, the value goes as its JSON text: cloning a Buffer
// copies the whole ArrayBuffer under it (8 KiB for Node's pooled small buffers), which showed as postMessage in the
// profile. Each side sends what one turn of its event loop produced as one message. Errors come back as the two
// kinds etcdFailure() tells apart (deadline or not).
import { Worker } from 'node:worker_threads';
import { GRPCDeadlineExceededError } from 'etcd3';

export interface TxnThreadOptions {
  hosts: string[];
  /** Deadline of one attempt in ms. */
  attemptMs: number;
  /** Attempts while etcd is unreachable or slow (recoverable errors). */
  attempts: number;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

export interface TxnOutcome {
  succeeded: boolean;
  /** The revision etcd was at after the transaction: the write's mod_revision when it succeeded. */
  revision: number;
  /** A later attempt answered: the first may have landed. */
  resent: boolean;
  /** On failure: the key's current value and mod_revision (undefined: the key does not exist). */
  current?: { value: Buffer; modRevision: number };
}

type Request = [id: number, key: string, rv: number, value: string | null];
type Reply = [id: number, ok: true, succeeded: boolean, revision: number, resent: boolean, value: Uint8Array | null, modRevision: number]
  | [id: number, ok: false, deadline: boolean, message: string];

interface Pending { resolve(o: TxnOutcome): void; reject(err: Error): void }

const WORKER = new URL('./etcd-txn-worker.mjs', import.meta.url);

export class EtcdTxnThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** Requests of this turn of the event loop, sent as one message (see send()). */
  private outbox: Request[] = [];

  constructor(private readonly o: TxnThreadOptions) {}

  /** Puts `value` (JSON text; undefined: deletes) if the key's mod_revision is still `rv`; else reads the key. */
  txn(key: string, rv: number, value: string | undefined): Promise<TxnOutcome> {
    if (this.closed) return Promise.reject(new Error('the etcd client thread is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send([id, key, rv, value ?? null]);
    });
  }

  /** Queues a request; the turn's requests go in one message once its I/O callbacks have run (setImmediate), as the
   *  thread batches its replies. A message per write and per reply, each waking the other thread, cost the apiserver
   *  more CPU per create than the thread saved (same-run A/B: 0.76 against 0.61 ms). */
  private send(r: Request): void {
    if (this.outbox.length === 0) setImmediate(() => {
      const batch = this.outbox;
      this.outbox = [];
      if (batch.length > 0 && !this.closed) this.thread().postMessage(batch);
    });
    this.outbox.push(r);
  }

  /** Stops the thread; calls still in flight fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.outbox = [];
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
    this.failAll(new Error('the etcd client thread was closed'));
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER, { workerData: this.o });
    // Not what keeps the apiserver running: its server and its own etcd client do; close() ends it.
    w.unref();
    w.on('message', (replies: Reply[]) => { for (const r of replies) this.settle(r); });
    const gone = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined; // the next call starts a new one
      this.failAll(new Error(`the etcd client thread ${why}`));
    };
    w.on('error', (err) => gone(`failed: ${err.message}`));
    w.on('exit', (code) => gone(`exited with code ${code}`));
    this.worker = w;
    return w;
  }

  private settle(r: Reply): void {
    const p = this.pending.get(r[0]);
    if (!p) return;
    this.pending.delete(r[0]);
    if (r[1]) {
      const [, , succeeded, revision, resent, value, modRevision] = r;
      p.resolve({ succeeded, revision, resent, current: value ? { value: Buffer.from(value.buffer, value.byteOffset, value.byteLength), modRevision } : undefined });
    } else {
      p.reject(r[2] ? new GRPCDeadlineExceededError(r[3]) : new Error(r[3]));
    }
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
