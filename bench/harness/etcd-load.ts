// Child process of etcd.ts: the npm etcd3 client writing new keys at fixed concurrency, either plain puts or the
// create-if-absent transaction kube-apiserver uses for a create. Runs in its own process because the Node client
// is CPU-bound (it tops out at one core on this machine). Prints one JSON line with the result.
// The value written is the file's bytes, or (valuePrefix) the first value stored under that etcd prefix: what
// Podling stored for one of its creates, so both write the same bytes.
// Usage: node --import tsx bench/harness/etcd-load.ts '{"endpoint":…,"op":"put"|"txn","concurrency":50,"warmupS":1,"seconds":5,"valueFile":…}'
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { summarize } from './percentiles.ts';

interface LoadArgs { endpoint: string; op: 'put' | 'txn'; concurrency: number; warmupS: number; seconds: number; valueFile?: string; valuePrefix?: string }

const a = JSON.parse(process.argv[2]) as LoadArgs;
const client = new Etcd3({ hosts: a.endpoint });
const value = a.valuePrefix ? await client.getAll().prefix(a.valuePrefix).limit(1).buffers().then((kv) => Object.values(kv)[0]) : readFileSync(a.valueFile!);
if (!value) throw new Error(`no value stored under ${a.valuePrefix}`);
let n = 0;

async function write(): Promise<void> {
  const key = `/registry/pods/default/${a.op}-${process.pid}-${n++}`; // each run its own keys: several run on one etcd
  if (a.op === 'put') await client.put(key).value(value);
  else {
    const r = await client.if(key, 'Create', '==', 0).then(client.put(key).value(value)).commit();
    if (!r.succeeded) throw new Error(`${key} already existed`);
  }
}

async function phase(seconds: number, latencies?: number[]): Promise<number> {
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: a.concurrency }, async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await write();
      latencies?.push(performance.now() - t0);
      done++;
    }
  }));
  return done;
}

const warmupOps = await phase(a.warmupS);
const latencies: number[] = [];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const ops = await phase(a.seconds, latencies);
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const s = summarize(latencies);
// allOps counts the warm-up too: what the etcd server did while this process ran.
process.stdout.write(JSON.stringify({ opsPerSecond: ops / wall, valueBytes: value.length, ops, allOps: warmupOps + ops, p50Ms: s.p50, p99Ms: s.p99, clientCores: (cpu.user + cpu.system) / 1e6 / wall, wallS: wall }) + '\n');
client.close();
