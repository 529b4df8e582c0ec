// The docs' myapp-pod on a real apiserver and agent: it reaches Running, and its log shows the greeting both through
// the apiserver's pods/log and the kubelet's own /containerLogs endpoint. The Node is registered and heartbeats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Node, Pod } from '@podling/api';
import { waitFor, repoRoot } from '@podling/testkit';
import { create, startAgentCluster } from './cluster-fixture.ts';

test('myapp-pod reaches Running and its log says Hello Kubernetes!', async (t) => {
  const c = await startAgentCluster(t);
  const manifest = parse(readFileSync(path.join(repoRoot, 'manifests/myapp-pod.yaml'), 'utf8')) as Pod;
  await create(c, { ...manifest, metadata: { ...manifest.metadata, namespace: 'default' }, spec: { ...manifest.spec, nodeName: 'node-a' } });
  const pod = await c.waitPod('myapp-pod', (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready === true);
  const cs = pod.status!.containerStatuses![0];
  assert.equal(cs.image, 'busybox:1.28');
  assert.match(cs.containerID ?? '', /^podling:\/\/\d+$/);
  assert.ok(cs.state.running?.startedAt);
  assert.equal(pod.status!.conditions!.find((x) => x.type === 'Ready')!.status, 'True');
  // Its own IP from the agent's range as root (issue 19), the node's otherwise.
  assert.match(pod.status!.podIP ?? '', process.getuid?.() === 0 ? /^10\.250\.\d+\.\d+$/ : /^127\.0\.0\.1$/);

  const direct = await waitFor(async () => {
    const r = await c.agents[0].fetch(`/containerLogs/default/myapp-pod/myapp-container`);
    const text = await r.text();
    return text.includes('Hello Kubernetes!') && text;
  }, { message: 'log via kubelet' });
  assert.equal(direct, 'Hello Kubernetes!\n');
  // Issue 15: `True` (the Python client's spelling) is true on the agent's endpoint too.
  const stamped = await (await c.agents[0].fetch(`/containerLogs/default/myapp-pod/myapp-container?timestamps=True`)).text();
  assert.match(stamped, /^\d{4}-\d\d-\d\dT[\d:.]+Z Hello Kubernetes!\n$/);

  const viaApi = await waitFor(async () => {
    const r = await fetch(`${c.api.url}/api/v1/namespaces/default/pods/myapp-pod/log`);
    return r.ok && (await r.text());
  }, { message: 'log via apiserver' });
  assert.equal(viaApi, 'Hello Kubernetes!\n');

  const node = await c.client.get<Node>({ resource: 'nodes' }, 'node-a');
  assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'node-a');
  assert.equal(node.status?.conditions?.find((x) => x.type === 'Ready')?.reason, 'KubeletReady');
  assert.equal(node.status?.daemonEndpoints?.kubeletEndpoint?.Port, Number(new URL(c.agents[0].url).port));
  const beat = node.status!.conditions!.find((x) => x.type === 'Ready')!.lastHeartbeatTime;
  await waitFor(async () => (await c.client.get<Node>({ resource: 'nodes' }, 'node-a')).status?.conditions?.find((x) => x.type === 'Ready')?.lastHeartbeatTime !== beat,
    { timeoutMs: 5000, message: 'a later heartbeat' });

  const waiting = await c.agents[0].fetch(`/containerLogs/default/myapp-pod/nope`);
  assert.equal(waiting.status, 400);
  const missing = await c.agents[0].fetch(`/containerLogs/default/nope/myapp-container`);
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).kind, 'Status');
});
