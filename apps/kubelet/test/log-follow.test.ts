// Following a container's log through the agent's endpoint survives rotation: every line arrives once, in order,
// also when the writer rotates the file many times while the follower reads (issue 14.8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { create, FAST_ARGS, podManifest, startAgentCluster } from './cluster-fixture.ts';

const LINES = 300_000;

test('issue 14.8: logs -f of a fast writer gets every line exactly once across many rotations', async (t) => {
  const c = await startAgentCluster(t, ['node-a'], [...FAST_ARGS, '--container-log-max-size', '256Ki']);
  const pod = await create(c, podManifest('chatty', {
    restartPolicy: 'Never',
    volumes: [{ name: 'ctl', emptyDir: {} }],
    containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'ctl', mountPath: '/podling-test-nowhere' }], command: ['sh', '-c',
      `echo start; while [ ! -e "$PODLING_VOLUME_CTL/go" ]; do sleep 0.05; done; seq 1 ${LINES}`] }],
  }));
  await c.waitPod('chatty', (p: Pod) => p.status?.phase === 'Running');
  const res = await c.agents[0].fetch(`/containerLogs/default/chatty/app?follow=true`);
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let partial = '';
  const lines: string[] = [];
  const readMore = async (): Promise<boolean> => {
    const { value, done } = await reader.read();
    if (done) return false;
    const parts = (partial + value).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    return true;
  };
  while (lines.length === 0) assert.ok(await readMore(), 'stream ended before "start"');
  assert.equal(lines[0], 'start');
  // The writer starts only once the follower is attached, so every rotation happens while it follows.
  writeFileSync(`${c.agents[0].rootDir}/pods/${pod.metadata.uid}/volumes/kubernetes.io~empty-dir/ctl/go`, '');
  while (await readMore()) { /* until the container exited and its log was read to the end */ }
  assert.equal(partial, '');
  const numbers = lines.slice(1);
  let firstBad = -1;
  for (let i = 0; i < numbers.length && firstBad < 0; i++) if (numbers[i] !== String(i + 1)) firstBad = i;
  assert.equal(firstBad, -1, `line ${firstBad + 1} is ${JSON.stringify(numbers[firstBad])}, expected ${firstBad + 1} (got ${numbers.length} lines)`);
  assert.equal(numbers.length, LINES);
  await waitFor(async () => (await c.pod('default', 'chatty')).status?.phase === 'Succeeded', { message: 'pod succeeded' });
});
