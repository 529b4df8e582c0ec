// Issue 13: `kubectl port-forward` (kubectl 1.32: SPDY/3.1 tunnelled in a websocket) to a server in a pod, and
// @kubernetes/client-node's PortForward (the legacy v4 websocket protocol), both through apiserver and agent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { stringify as toYaml } from 'yaml';
import * as k8s from '@kubernetes/client-node';
import { waitFor } from '@podling/testkit';
import { startKubectlCluster, type KubectlCluster } from './kubectl-cli.ts';

let cluster: KubectlCluster;
let port = 0;
const kubectl = () => cluster.kubectl;

/** A port nothing listens on right now, for the pod's server (pods share the node's loopback). */
async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

before(async () => {
  cluster = await startKubectlCluster({ kubelet: true, nodeName: 'node-1' });
  port = await freePort();
  // Bound to the pod's localhost: port-forward reaches it inside the pod's network, as the kubelet does.
  const server = `require('http').createServer((q, s) => s.end('hello from the pod ' + q.url)).listen(${port}, '127.0.0.1', () => console.log('listening'))`;
  await kubectl().ok(['create', '-f', kubectl().file('web.yaml', toYaml({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: 'node', command: [process.execPath, '-e', server] }] },
  }))]);
  await waitFor(async () => (await kubectl().ok(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])) === 'Running', { timeoutMs: 20_000, message: 'web Running' });
  await waitFor(async () => (await kubectl().ok(['logs', 'web'])).includes('listening'), { message: 'pod server listening' });
});
after(async () => { await cluster?.stop(); });

test('kubectl port-forward carries HTTP requests to a server in the pod', async () => {
  const pf = kubectl().stream(['port-forward', 'pod/web', `:${port}`]);
  try {
    const line = await pf.waitForLine((l) => /^Forwarding from 127\.0\.0\.1:\d+/.test(l));
    const local = Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]);
    for (const path of ['/first', '/second']) {
      const res = await fetch(`http://127.0.0.1:${local}${path}`);
      assert.equal(await res.text(), `hello from the pod ${path}`);
    }
  } finally {
    await pf.stop();
  }
});

test('kubectl port-forward to a port nothing listens on reports the error and keeps running', async () => {
  const closed = await freePort();
  const pf = kubectl().stream(['port-forward', 'pod/web', `:${closed}`]);
  try {
    const line = await pf.waitForLine((l) => /^Forwarding from 127\.0\.0\.1:\d+/.test(l));
    const local = Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]);
    await assert.rejects(fetch(`http://127.0.0.1:${local}/`));
    await waitFor(() => /error forwarding port \d+ to pod: connect ECONNREFUSED/.test(pf.stderr()), { message: `kubectl's error line; stderr: ${pf.stderr()}` });
  } finally {
    await pf.stop();
  }
});

test('client-node PortForward reaches the pod server', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: cluster.apiserver.url, skipTLSVerify: true }], users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
  });
  const forward = new k8s.PortForward(kc);
  const server = net.createServer((socket) => { void forward.portForward('default', 'web', [port], socket, null, socket); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/via-client-node`, { headers: { connection: 'close' } });
    assert.equal(await res.text(), 'hello from the pod /via-client-node');
  } finally {
    server.close();
  }
});
