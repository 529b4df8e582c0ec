// The controllers' client keeps CONTROLLER_REQUESTS_IN_FLIGHT calls at the apiserver at most; the leader-election
// and scheduler clients are not behind those slots, so a Lease renewal and a Binding go out while every one is busy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@podling/testkit';
import { CONTROLLER_REQUESTS_IN_FLIGHT, controllerClients } from '../src/index.ts';

test('a Lease renewal and a Binding reach the apiserver while the controllers fill all their slots', async (t) => {
  const held: http.ServerResponse[] = [];
  const agents: string[] = [];
  const server = http.createServer((req, res) => {
    agents.push(req.headers['user-agent'] ?? '');
    if (req.url!.includes('/leases/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kube-controller-manager' } }));
      return;
    }
    if (req.url!.endsWith('/binding')) {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Status', status: 'Success', code: 201 }));
      return;
    }
    held.push(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => { server.closeAllConnections(); server.close(); });
  const { client, schedulerClient, leaderElectionClient } = controllerClients({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, userAgent: 'cm' });
  t.after(async () => { await client.close(); await schedulerClient.close(); await leaderElectionClient.close(); });

  const calls = Array.from({ length: CONTROLLER_REQUESTS_IN_FLIGHT + 10 }, (_, i) => client.get({ resource: 'nodes' }, `n${i}`).catch(() => undefined));
  await waitFor(() => held.length === CONTROLLER_REQUESTS_IN_FLIGHT, { timeoutMs: 5000, message: 'the controllers fill their slots' });
  const lease = await leaderElectionClient.get({ resource: 'leases', namespace: 'kube-system' }, 'kube-controller-manager');
  assert.equal(lease.metadata.name, 'kube-controller-manager');
  assert.equal(held.length, CONTROLLER_REQUESTS_IN_FLIGHT, 'the rest of the controllers\' calls still wait in their client');
  assert.equal(agents.at(-1), 'cm/leader-election');
  assert.equal((await schedulerClient.bind('default', 'p1', 'n1')).status, 'Success');
  assert.equal(agents.at(-1), 'cm/scheduler');
  for (const res of held) res.writeHead(500).end();
  await waitFor(() => held.length === CONTROLLER_REQUESTS_IN_FLIGHT + 10, { timeoutMs: 5000, message: 'the waiting calls go out once slots free' });
  for (const res of held.slice(CONTROLLER_REQUESTS_IN_FLIGHT)) res.writeHead(500).end();
  await Promise.all(calls);
});
