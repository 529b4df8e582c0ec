// Periodic etcd compaction as kube-apiserver does it (k8s.io/apiserver pkg/storage/etcd3/compact.go): every interval
// each apiserver tries Txn(version(compact_rev_key) == t, put compact_rev_key = <revision seen one interval ago>).
// The key's version is a logical clock shared by all apiservers, so exactly one wins a round and compacts; the
// others adopt the clock. History thus survives between one and two intervals. Every apiserver then expires the
// compacted revisions from its own watch cache, so resuming from before them is 410 Expired everywhere.
import type { Etcd3 } from 'etcd3';
import type { StorageLogger } from './sqlite-storage.ts';

const KEY = Buffer.from('compact_rev_key');

export class EtcdCompactor {
  private timer: NodeJS.Timeout | undefined;
  /** compact_rev_key's version as last seen. */
  private clock = 0;
  /** The revision recorded last round: what the next won round compacts to. */
  private rev = 0;
  private running: Promise<number> | undefined;

  constructor(private readonly client: Etcd3, private readonly intervalMs: number, private readonly logger: StorageLogger,
    private readonly endpoints: readonly string[], private readonly onCompacted: (rv: number) => void) {}

  /** The revision the last compaction (by any apiserver) went to, from compact_rev_key; 0 if none. */
  async lastCompacted(): Promise<number> {
    const kv = (await this.client.kv.range({ key: KEY })).kvs[0];
    if (!kv) return 0;
    this.clock = Number(kv.version);
    return Number(kv.value.toString()) || 0;
  }

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => { this.running ??= this.round().finally(() => { this.running = undefined; }); }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One round; also what tests call to compact now. Resolves with the revision compacted to (0: none). */
  async round(): Promise<number> {
    try {
      const res = await this.client.kv.txn({
        compare: [{ key: KEY, target: 'Version', result: 'Equal', version: this.clock }],
        success: [{ request_put: { key: KEY, value: Buffer.from(String(this.rev)) } }],
        failure: [{ request_range: { key: KEY } }],
      });
      const target = this.rev;
      this.rev = Number(res.header.revision);
      if (!res.succeeded) {
        const kv = res.responses[0]?.response_range?.kvs[0];
        this.clock = kv ? Number(kv.version) : 0;
        const theirs = kv ? Number(kv.value.toString()) : 0;
        if (theirs > 0) this.onCompacted(theirs);
        return 0;
      }
      this.clock++;
      if (target === 0) return 0; // first round: only the clock moves
      await this.client.kv.compact({ revision: target });
      this.logger.info({ revision: target }, 'etcd compacted');
      this.onCompacted(target);
      return target;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, endpoints: this.endpoints }, 'etcd compaction failed');
      return 0;
    }
  }
}
