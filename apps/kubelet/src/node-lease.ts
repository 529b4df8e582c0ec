// The node's Lease in kube-node-lease (reference B8.3): the cheap heartbeat kube's node lifecycle controller and
// `kubectl describe node` read. Renewed with every status heartbeat; created (owned by the Node) when missing.
import { isStatusError, microTime, type KubeObject, type Node } from '@podling/api';
import type { KubeClientApi } from '@podling/client';

const ref = { resource: 'leases', namespace: 'kube-node-lease' };
/** Kubernetes' nodeLeaseDurationSeconds: four renew periods of 10 s. */
const LEASE_DURATION_SECONDS = 40;

export async function renewNodeLease(client: KubeClientApi, nodeName: string, now = new Date()): Promise<void> {
  const renewTime = microTime(now);
  try {
    await client.patch(ref, nodeName, { spec: { holderIdentity: nodeName, renewTime, leaseDurationSeconds: LEASE_DURATION_SECONDS } }, 'merge');
    return;
  } catch (err) {
    if (!isStatusError(err) || err.code !== 404) throw err;
  }
  const node = await client.get<Node>({ resource: 'nodes' }, nodeName);
  const lease: KubeObject = {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: {
      name: nodeName, namespace: 'kube-node-lease',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid! }],
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime },
  };
  try {
    await client.create(ref, lease);
  } catch (err) {
    if (!isStatusError(err) || err.code !== 409) throw err; // created meanwhile: the next renewal patches it
  }
}
