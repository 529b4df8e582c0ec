// housekeeping/heap-compaction.ts: an idle apiserver whose heap holds more than --idle-heap-compaction-threshold
// beyond what is in use compacts it with full GCs and logs what it gave back. A threshold of one byte makes every
// idle check qualify; 1,000 pods created and listed first leave a heap that the GCs shrink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import { makeTempDir, startApiserver } from '@podling/testkit';

test('an idle apiserver compacts its heap when it holds more than the threshold beyond what is in use', async (t) => {
  const tmp = makeTempDir();
  const srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db'), args: ['--idle-heap-compaction-threshold', '1'] });
  t.after(async () => { await srv.stop(); tmp.remove(); });
  const client = new KubeClient({ server: srv.url });
  const pods = { resource: 'pods', namespace: 'default' };
  for (let batch = 0; batch < 20; batch++) {
    await Promise.all(Array.from({ length: 50 }, (_, i) => client.create<Pod>(pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${batch}-${i}`, labels: { app: 'heap', batch: String(batch) } },
      spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], env: [{ name: 'PAD', value: 'x'.repeat(2000) }] }] },
    })));
  }
  for (let i = 0; i < 5; i++) await client.list(pods);
  const loaded = Date.now();
  // Checks run every 10 s; a compaction's GCs come a second apart.
  const line = await srv.process.waitForLog((l) => l.msg === 'idle heap compacted' && Number(l.time) > loaded, 40_000);
  assert.ok(Number(line.gcs) >= 1 && Number(line.gcs) <= 3, `1 to 3 GCs, got ${line.gcs}`);
  assert.ok(Number(line.heapAfterBytes) < Number(line.heapBeforeBytes), `the heap shrank: ${line.heapBeforeBytes} → ${line.heapAfterBytes} bytes`);
  assert.ok(Number(line.heapUsedBytes) <= Number(line.heapAfterBytes));
});

test('a negative threshold is refused at start-up', async () => {
  const tmp = makeTempDir();
  try {
    await assert.rejects(startApiserver({ dbPath: path.join(tmp.dir, 'podling.db'), args: ['--idle-heap-compaction-threshold', '-1'] }));
  } finally {
    tmp.remove();
  }
});
