// coordination.k8s.io/v1 Leases: each agent renews one in kube-node-lease as its cheap heartbeat.
import { isDNS1123Subdomain, validateObjectMeta, validateObjectMetaUpdate, type KubeObject } from '@podling/api';
import type { Strategy } from './strategy.ts';

export const leaseStrategy: Strategy<KubeObject> = {
  resource: 'leases', apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', listKind: 'LeaseList', namespaced: true, singular: 'lease',
  nameValidator: isDNS1123Subdomain,
  tracksGeneration: false,
  returnsDeletedObject: false,
  prepareForCreate() {},
  validate: (lease) => validateObjectMeta(lease.metadata, { namespaced: true, nameValidator: isDNS1123Subdomain }),
  prepareForUpdate() {},
  validateUpdate: (lease, old) => [
    ...validateObjectMetaUpdate(lease.metadata, old.metadata),
    ...validateObjectMeta(lease.metadata, { namespaced: true, nameValidator: isDNS1123Subdomain }),
  ],
};
