// Storage on an etcd cluster (--storage-backend etcd3), so several apiservers can serve one cluster. Writes are
// kube-apiserver's transactions (k8s.io/apiserver pkg/storage/etcd3/store.go): create = put if mod_revision == 0,
// update and delete compare the mod_revision they started from and, on conflict, retry with the current value the
// transaction's else branch returned. resourceVersion is the etcd revision, the same on every apiserver. Values are
// the object's JSON without resourceVersion (kube-apiserver stores protobuf; Podling's wire format is JSON).
// Reads, lists and watches come from the watch cache (etcd-watch-cache.ts) fed by one etcd watch; a write resolves
// once the cache has its revision, so this apiserver reads its own writes. The write transactions run on a worker
// thread with its own client (etcd-txn-thread.ts); reads, the watch and compaction use this thread's client.
import { Etcd3, type IOptions, type IRangeResponse } from 'etcd3';
import type { KubeObject } from '@podling/api';
import {
  StorageError, type Change, type ListOptions, type ListResult, type ObjectKey, type Storage, type StoredObject,
  type UpdateFn, type WatchHandle, type WatchOptions,
} from './storage.ts';
import { EtcdKeyLayout } from './etcd-key-layout.ts';
import { EtcdFeed } from './etcd-feed.ts';
import { EtcdCompactor } from './etcd-compactor.ts';
import { etcdFailure } from './etcd-errors.ts';
import { decodeValue } from './etcd-watch-cache.ts';
import { KeyedChain } from './keyed-chain.ts';
import { OwnWrite } from './etcd-own-write.ts';
import { EtcdTxnThread, type TxnOutcome } from './etcd-txn-thread.ts';
import { attemptsInTurn, type AttemptsInTurn } from './etcd-attempts.mjs';
import type { StorageLogger, StorageStats } from './sqlite-storage.ts';
import { describeKey, notFound, stamp, unavailable } from './stamp.ts';

export interface EtcdStorageOptions {
  /** Client URLs of the etcd members (http:// or https://). */
  endpoints: string[];
  /** Key prefix (default "/registry"). */
  prefix?: string;
  /** PEM files' contents for https endpoints: CA bundle, and the client certificate and key. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** Changes kept in memory for watch replay and continued lists (default 20000). */
  historyLimit?: number;
  /** Compaction period in ms (default 5 min, 0 = never), kube-apiserver's --etcd-compaction-interval. */
  compactionIntervalMs?: number;
  /** Deadline of each etcd request in ms (default 10 s). */
  requestTimeoutMs?: number;
  logger?: StorageLogger;
}

export interface EtcdStorage extends Storage {
  /** Why this apiserver cannot serve from etcd right now (for /readyz), or undefined when it can. */
  health(): Promise<string | undefined>;
  /** Write transactions (each one write: etcd has no group commit to report) and failed ones, for /metrics. */
  stats(): StorageStats;
}

const silent: StorageLogger = { info() {}, warn() {}, error() {} };
/** Tries of one etcd request, which share its deadline. */
const ATTEMPTS = 3;

export async function openEtcdStorage(opts: EtcdStorageOptions): Promise<EtcdStorage> {
  const store = new EtcdStore(opts);
  try {
    await store.start();
  } catch (err) {
    await store.close();
    throw etcdFailure(err, opts.endpoints, 'initial load');
  }
  return store;
}

class EtcdStore implements EtcdStorage {
  private readonly client: Etcd3;
  private readonly writer: EtcdTxnThread;
  private readonly layout: EtcdKeyLayout;
  private readonly logger: StorageLogger;
  private readonly endpoints: string[];
  private readonly historyLimit: number;
  private readonly timeoutMs: number;
  private feed: EtcdFeed | undefined;
  private compactor: EtcdCompactor | undefined;
  private readonly own = new Map<string, OwnWrite>();
  private readonly chain = new KeyedChain();
  private closed = false;
  private readonly counters: StorageStats = { commits: 0, writes: 0, maxBatch: 0, failedCommits: 0 };
  private readonly attempts: AttemptsInTurn = attemptsInTurn(ATTEMPTS);

  constructor(private readonly opts: EtcdStorageOptions) {
    this.endpoints = opts.endpoints;
    this.layout = new EtcdKeyLayout(opts.prefix ?? '/registry');
    this.logger = opts.logger ?? silent;
    this.historyLimit = opts.historyLimit ?? 20_000;
    if (!Number.isSafeInteger(this.historyLimit) || this.historyLimit < 1) throw new TypeError(`historyLimit must be a positive integer, got ${opts.historyLimit}`);
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
    const tls = opts.tls;
    const options: IOptions = {
      hosts: opts.endpoints,
      // Unary calls get a deadline (a cluster without quorum never answers); the watch stream must not. Each of the
      // up to ATTEMPTS attempts (this.attempts) gets its share: a member whose machine went silent holds a call until
      // its deadline, so a whole-request deadline would stall it for all of it.
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + this.timeoutMs / ATTEMPTS }),
      // Watch reconnects back off to 2 s at most (the library's default grows to 30 s), so recovery is prompt.
      // Only reads made through this.attempts are retried (etcd-attempts.mjs); writes run on the write thread.
      faultHandling: { watchBackoff: backoff(100), global: this.attempts.policy },
      grpcOptions: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 },
      ...(tls && (tls.ca || tls.cert) ? { credentials: { rootCertificate: tls.ca as Buffer, certChain: tls.cert, privateKey: tls.key } } : {}),
    };
    this.client = new Etcd3(options);
    this.writer = new EtcdTxnThread({ hosts: opts.endpoints, attemptMs: this.timeoutMs / ATTEMPTS, attempts: ATTEMPTS, tls: opts.tls });
  }

  async start(): Promise<void> {
    const started = performance.now();
    this.compactor = new EtcdCompactor(this.client, this.opts.compactionIntervalMs ?? 5 * 60_000, this.logger, this.endpoints,
      (rv) => this.feed?.cache.expireThrough(rv));
    const compacted = await this.compactor.lastCompacted();
    this.feed = await EtcdFeed.open({
      client: this.client, layout: this.layout, historyLimit: this.historyLimit, logger: this.logger,
      // Our own write in flight: the event carrying exactly its value needs no parsing or serializing.
      ownWrite: (k, value, rv) => { const w = this.own.get(k); return w && w.value.equals(value) ? w.stored(rv) : undefined; },
    }, (current) => Math.max(compacted, current - this.historyLimit));
    this.compactor.start();
    this.logger.info({ endpoints: this.endpoints, prefix: this.layout.root, revision: this.cache.revision, ms: Math.round(performance.now() - started) }, 'storage opened');
  }

  private get cache() { return this.feed!.cache; }

  currentRevision(): number { return this.cache.revision; }
  oldestRevision(): number { return this.cache.oldestRevision; }
  stats(): StorageStats { return { ...this.counters }; }
  waitForRevision(rv: number, timeoutMs: number): Promise<boolean> { return this.cache.reached(rv, timeoutMs); }
  get(key: ObjectKey): StoredObject | undefined { return this.cache.get(key); }
  list(resource: string, opts?: ListOptions): ListResult { return this.cache.list(resource, opts); }
  watch(opts: WatchOptions, listener: (batch: readonly Change[]) => void): WatchHandle { return this.cache.watch(opts, listener); }

  async health(): Promise<string | undefined> {
    if (this.closed) return 'storage is closed';
    const trouble = this.feed?.trouble;
    if (trouble) return trouble;
    try {
      await this.client.kv.range({ key: Buffer.from('compact_rev_key'), count_only: true }, { deadline: Date.now() + 2000 });
      return undefined;
    } catch (err) {
      return `etcd (${this.endpoints.join(',')}) does not answer: ${(err as Error).message}`;
    }
  }

  /** Writes of one key run one after another here, so each starts from its predecessor's result. */
  create(key: ObjectKey, obj: KubeObject): Promise<StoredObject> {
    if (this.closed) return Promise.reject(unavailable(key));
    return this.chain.run(this.layout.key(key), async (k) => {
      const res = await this.put(key, k, 0, new OwnWrite(key.resource, forStorage(obj)));
      if (res === 'conflict') throw new StorageError('KeyExists', key, `${describeKey(key)} already exists`);
      return res;
    });
  }

  guaranteedUpdate(key: ObjectKey, update: UpdateFn): Promise<StoredObject> {
    if (this.closed) return Promise.reject(unavailable(key));
    return this.chain.run(this.layout.key(key), async (k) => {
      let current = this.cache.get(key) ?? await this.read(key, k);
      for (;;) {
        if (!current) throw notFound(key);
        const next = update(current);
        if (next === null) return current;
        const write = new OwnWrite(key.resource, forStorage(next));
        if (write.sameAs(current)) return current;
        const res = await this.put(key, k, current.rv, write);
        if (res !== 'conflict') return res;
        current = await this.read(key, k);
      }
    });
  }

  delete(key: ObjectKey, check?: (current: StoredObject) => void): Promise<StoredObject> {
    if (this.closed) return Promise.reject(unavailable(key));
    return this.chain.run(this.layout.key(key), async (k) => {
      let current = this.cache.get(key) ?? await this.read(key, k);
      for (;;) {
        if (!current) throw notFound(key);
        check?.(current);
        const written = await this.txn(key, k, current.rv, undefined);
        if (written !== 'conflict') return stamp(key.resource, current.object, written);
        current = await this.read(key, k);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.idle();
    this.compactor?.stop();
    await this.feed?.close();
    await this.writer.close();
    this.client.close();
  }

  /** A linearizable read of one key, past the cache (which may lag behind another apiserver's write). */
  private async read(key: ObjectKey, k: string): Promise<StoredObject | undefined> {
    let res: IRangeResponse;
    try {
      res = (await this.attempts.run(() => this.client.kv.range({ key: Buffer.from(k) }))).result;
    } catch (err) {
      throw etcdFailure(err, this.endpoints, 'read of', key);
    }
    const kv = res.kvs[0];
    return kv ? decodeValue(key.resource, kv.value, Number(kv.mod_revision)) : undefined;
  }

  /** One conditional write: put `value` (undefined: delete) if the key's mod_revision is still `rv`. Resolves with
   *  the revision written once the watch cache has it, or 'conflict'. A reply lost on the way back makes the client
   *  resend the transaction; if etcd then holds exactly our value, the first attempt was the one that landed. */
  private async txn(key: ObjectKey, k: string, rv: number, value: string | undefined, write?: OwnWrite): Promise<number | 'conflict'> {
    if (write) this.own.set(k, write);
    try {
      let res: TxnOutcome;
      try {
        res = await this.writer.txn(k, rv, value);
      } catch (err) {
        this.counters.failedCommits++;
        throw etcdFailure(err, this.endpoints, !value ? 'delete of' : rv === 0 ? 'create of' : 'update of', key);
      }
      let written = res.revision;
      if (!res.succeeded) {
        const kv = res.current;
        if (!res.resent || !write || !kv || !kv.value.equals(write.value)) return 'conflict';
        written = kv.modRevision;
      }
      this.counters.commits++;
      this.counters.writes++;
      this.counters.maxBatch = 1;
      if (!(await this.cache.reached(written, this.timeoutMs))) {
        // Durable in etcd, but the watch has not brought it back (etcd just became unreachable): answer anyway.
        this.logger.warn({ key, rv: written }, 'write acknowledged by etcd before the watch cache saw it');
      }
      return written;
    } finally {
      if (write && this.own.get(k) === write) this.own.delete(k);
    }
  }

  /** Puts `obj` if the key's mod_revision is still `rv`; the stored copy is the cache's, shared with watchers. */
  private async put(key: ObjectKey, k: string, rv: number, write: OwnWrite): Promise<StoredObject | 'conflict'> {
    const written = await this.txn(key, k, rv, write.text, write);
    if (written === 'conflict') return written;
    const cached = this.cache.get(key);
    return cached && cached.rv === written ? cached : write.stored(written);
  }
}

/** The object as etcd holds it: no resourceVersion (the key's mod_revision is the version), as kube-apiserver's
 *  PrepareObjectForStorage does. */
function forStorage(obj: KubeObject): KubeObject {
  if (obj.metadata.resourceVersion === undefined) return obj;
  const { resourceVersion: _, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** Exponential back-off from `ms`, doubling up to 2 s (cockatiel's IBackoff shape, which etcd3 takes). */
function backoff(ms: number): { duration: number; next(): ReturnType<typeof backoff> } {
  return { duration: ms, next: () => backoff(Math.min(2000, ms * 2)) };
}
