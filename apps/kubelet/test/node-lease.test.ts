// The agent renews its node Lease in kube-node-lease with every heartbeat (what `kubectl describe node` shows and
// the node lifecycle controller accepts as a heartbeat).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { startAgentCluster } from './cluster-fixture.ts';

type Lease = KubeObject & { spec: { holderIdentity: string; leaseDurationSeconds: number; renewTime: string } };

test('the agent creates its Lease, owned by its Node, and keeps renewing it', async (t) => {
  const c = await startAgentCluster(t, ['lease-node']);
  const ref = { resource: 'leases', namespace: 'kube-node-lease' };
  const first = await waitFor(() => c.client.get<Lease>(ref, 'lease-node').catch(() => undefined), { message: 'lease created' });
  assert.equal(first.spec.holderIdentity, 'lease-node');
  assert.equal(first.spec.leaseDurationSeconds, 40);
  assert.match(first.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(first.metadata.ownerReferences?.[0]?.kind, 'Node');
  await waitFor(async () => {
    const later = await c.client.get<Lease>(ref, 'lease-node');
    return Date.parse(later.spec.renewTime) > Date.parse(first.spec.renewTime);
  }, { message: 'lease renewed' });
});
