// Store benchmark: creates/s with 50 concurrent creators under FULL and NORMAL, list time for 10k pods, reopen time.
// Usage: node --import tsx bench/store-bench.ts [seconds per create run = 3]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '@podling/api';
import { openSqliteStorage, type SqliteStorage } from '@podling/store';

const seconds = Number(process.argv[2] ?? 3);
const CREATORS = 50;

/** A pod of about 1.7 KB of JSON, the size of the pods the other benchmarks create. */
function makePod(ns: string, name: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: ns, uid: `0f5d1c7e-3b7a-4c1e-9d7e-${name.padStart(12, '0').slice(-12)}`,
      creationTimestamp: new Date().toISOString(), labels: { app: 'bench', tier: 'backend', shard: String(name.length % 7) },
      annotations: { 'podling.io/note': 'x'.repeat(200) },
    },
    spec: {
      nodeName: 'node-1', restartPolicy: 'Always', terminationGracePeriodSeconds: 30,
      containers: [{
        name: 'main', image: 'registry.example/app:1.2.3', command: ['/bin/sh', '-c', 'sleep 3600'],
        env: Array.from({ length: 6 }, (_, i) => ({ name: `ENV_${i}`, value: `value-${i}-${'v'.repeat(20)}` })),
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 5 },
      }],
    },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: new Date().toISOString() }] },
  };
}

function tempDb(): { file: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'podling-store-bench-'));
  return { file: path.join(dir, 'state.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function createRate(synchronous: 'FULL' | 'NORMAL'): Promise<void> {
  const db = tempDb();
  const storage = openSqliteStorage({ path: db.file, synchronous });
  let n = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: CREATORS }, async () => {
    while (performance.now() < deadline) {
      const name = `pod-${n++}`;
      const t0 = performance.now();
      await storage.create({ resource: 'pods', namespace: 'bench', name }, makePod('bench', name));
      latencies.push(performance.now() - t0);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const s = storage.stats();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.floor((latencies.length - 1) * p)].toFixed(2);
  console.log(`creates ${synchronous.padEnd(6)} ${CREATORS} creators: ${Math.round(s.writes / elapsed)} creates/s ` +
    `(${s.writes} in ${elapsed.toFixed(1)} s, ${s.commits} commits, avg batch ${(s.writes / s.commits).toFixed(1)}, ` +
    `max ${s.maxBatch}; latency p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms)`);
  await storage.close();
  db.remove();
}

function time(label: string, runs: number, fn: () => unknown): void {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label}: median ${ms[Math.floor(runs / 2)].toFixed(2)} ms [${ms[0].toFixed(2)}–${ms[runs - 1].toFixed(2)}] over ${runs} runs`);
}

async function lists(): Promise<void> {
  const db = tempDb();
  let storage: SqliteStorage = openSqliteStorage({ path: db.file });
  const COUNT = 10_000;
  for (let i = 0; i < COUNT; i += 500) {
    await Promise.all(Array.from({ length: 500 }, (_, j) => {
      const name = `pod-${String(i + j).padStart(5, '0')}`;
      const ns = `ns-${(i + j) % 10}`;
      return storage.create({ resource: 'pods', namespace: ns, name }, makePod(ns, name));
    }));
  }
  // Churn so the sorted-key cache is dirty before the first list, as in a live cluster.
  await storage.create({ resource: 'pods', namespace: 'ns-0', name: 'late' }, makePod('ns-0', 'late'));
  await storage.delete({ resource: 'pods', namespace: 'ns-0', name: 'late' });
  time('list 10k pods (items array)', 11, () => storage.list('pods'));
  time('list 10k pods + join stored JSON into a PodList body', 11, () =>
    `{"kind":"PodList","items":[${storage.list('pods').items.map((o) => o.json).join(',')}]}`);
  time('list one namespace (1k of 10k pods)', 11, () => storage.list('pods', { namespace: 'ns-3' }));
  time('list 10k pods with a label filter', 11, () => storage.list('pods', { filter: (s) => s.attrs.metadata.labels?.shard === '3' }));
  let seq = 0;
  const churn = async () => {
    const name = `churn-${seq++}`;
    await storage.create({ resource: 'pods', namespace: 'ns-5', name }, makePod('ns-5', name));
  };
  const listAfterCreate: number[] = [];
  for (let i = 0; i < 11; i++) {
    await churn();
    const t0 = performance.now();
    storage.list('pods');
    listAfterCreate.push(performance.now() - t0);
  }
  listAfterCreate.sort((a, b) => a - b);
  console.log(`list 10k pods right after a create (sorted keys updated): median ${listAfterCreate[5].toFixed(2)} ms`);

  // Pages after the first are the snapshot at its revision, rebuilt from the change window: write in between.
  const first = storage.list('pods', { limit: 500 });
  await Promise.all(first.items.slice(0, 100).map((o) =>
    storage.guaranteedUpdate({ resource: 'pods', namespace: o.object.metadata.namespace!, name: o.object.metadata.name! },
      (cur) => ({ ...cur.object, metadata: { ...cur.object.metadata, labels: { touched: 'yes' } } }))));
  for (let i = 0; i < 100; i++) await churn();
  time('list the 19 pages after the first (limit 500) as a snapshot 200 writes old', 5, () => {
    let page = first;
    let count = page.items.length;
    while (page.continue) {
      page = storage.list('pods', { limit: 500, continue: page.continue });
      count += page.items.length;
    }
    if (count !== first.items.length + first.remainingItemCount!) throw new Error(`paged ${count}`);
  });
  await storage.close();
  const t0 = performance.now();
  storage = openSqliteStorage({ path: db.file });
  console.log(`reopen with ${storage.list('pods').items.length} objects and ${storage.currentRevision()} changes: ${(performance.now() - t0).toFixed(0)} ms`);
  await storage.close();
  db.remove();
}

await createRate('FULL');
await createRate('NORMAL');
await lists();
