// Issue 13 and 14.3/14.4 on a loopback cluster without TLS (testkit wires the shared agent token): the agent's port
// refuses everyone but the apiserver (401, logs included), answers a malformed %-encoding with 400, and the
// apiserver refuses agents it cannot authenticate. Who may exec is tested on a TLS cluster (auth-e2e.test.ts), as
// kubectl sends no token to an http:// server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify as toYaml } from 'yaml';
import WebSocket from 'ws';
import { waitFor } from '@podling/testkit';
import { startKubectlCluster, type KubectlCluster } from './kubectl-cli.ts';

let cluster: KubectlCluster;
const kubectl = () => cluster.kubectl;

before(async () => {
  cluster = await startKubectlCluster({ kubelet: true, nodeName: 'node-1' });
  await kubectl().ok(['create', '-f', kubectl().file('p.yaml', toYaml({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo started; trap "exit 0" TERM; while :; do sleep 0.2; done'] }] },
  }))]);
  await waitFor(async () => (await kubectl().ok(['get', 'pod', 'p', '-o', 'jsonpath={.status.phase}'])) === 'Running', { timeoutMs: 20_000, message: 'p Running' });
});
after(async () => { await cluster?.stop(); });

test("the agent's port answers 401 without the apiserver's token, to logs and to exec upgrades alike", async () => {
  const agent = cluster.kubelet!.url;
  const refused = await fetch(`${agent}/containerLogs/default/p/main`);
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('connection'), 'close', 'a 401 closes the connection');
  assert.equal((await fetch(`${agent}/containerLogs/default/p/main`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  assert.equal((await fetch(`${agent}/healthz`)).status, 200);
  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${agent.replace('http', 'ws')}/exec/default/p/main?command=id&output=1`, ['v5.channel.k8s.io']);
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode!); ws.terminate(); });
    ws.on('open', () => { resolve(101); ws.close(); });
    ws.on('error', () => resolve(-1));
  });
  assert.equal(status, 401);
  // With the token (as the apiserver sends it) the same log request works. Running comes before the container's
  // first line reaches its log, so the log is read until that line is there.
  await waitFor(async () => {
    const res = await cluster.kubelet!.fetch('/containerLogs/default/p/main');
    assert.equal(res.status, 200);
    return /started/.test(await res.text());
  }, { timeoutMs: 10_000, message: "p's log through the agent with the token" });
});

test('issue 14.4: a malformed %-encoding on the agent port is a 400 Status, not an exception', async () => {
  const from = cluster.kubelet!.process.output().length;
  const res = await cluster.kubelet!.fetch('/containerLogs/default/%E0%A4%A/main');
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'malformed percent-encoding in the request path', reason: 'BadRequest', code: 400 });
  assert.doesNotMatch(cluster.kubelet!.process.output().slice(from), /URIError|request failed/);
});

test('issue 14.3: without TLS the apiserver dials only loopback agents, and relays only an agent that proves the token', async () => {
  let requests = 0;
  const impostor = http.createServer((_q, r) => { requests++; r.end('impostor says hi'); });
  await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', () => r()));
  try {
    const admin = (p: string, init: RequestInit = {}) => fetch(`${cluster.apiserver.url}${p}`, init);
    assert.equal((await admin('/api/v1/nodes', { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'rogue' } }), headers: { 'content-type': 'application/json' } })).status, 201);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-rogue' }, spec: { nodeName: 'rogue', containers: [{ name: 'main', image: 'busybox', command: ['true'] }] } };
    assert.equal((await admin('/api/v1/namespaces/default/pods', { method: 'POST', body: JSON.stringify(pod), headers: { 'content-type': 'application/json' } })).status, 201);
    const point = async (address: string) => {
      const status = { status: { addresses: [{ type: 'InternalIP', address }], daemonEndpoints: { kubeletEndpoint: { Port: (impostor.address() as AddressInfo).port } } } };
      const r = await admin('/api/v1/nodes/rogue/status', { method: 'PATCH', body: JSON.stringify(status), headers: { 'content-type': 'application/merge-patch+json' } });
      assert.equal(r.status, 200);
    };
    await point('10.1.2.3');
    const far = await admin('/api/v1/namespaces/default/pods/on-rogue/log');
    assert.equal(far.status, 503);
    assert.match((await far.json() as { message: string }).message, /reports the address 10\.1\.2\.3: without TLS .* only talks to agents on loopback addresses/);
    await point('127.0.0.1');
    const near = await admin('/api/v1/namespaces/default/pods/on-rogue/log');
    assert.equal(near.status, 503);
    const text = await near.text();
    assert.match(text, /the agent did not prove who it is/);
    assert.doesNotMatch(text, /impostor/);
    assert.equal(requests, 1, 'the impostor was asked once and its answer dropped');
  } finally {
    impostor.close();
  }
});
