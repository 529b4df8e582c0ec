// coordination.k8s.io/v1 Leases: each agent renews one in kube-node-lease as its cheap heartbeat.
import { isDNS1123Subdomain, validateLease, validateLeaseUpdate, type KubeObject } from '@podling/api';
import { leasePrinter } from '../kubectl/simple-tables.ts';
import { defineResource } from './resource.ts';

export const leases = defineResource<KubeObject>({
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', singular: 'lease', namespaced: true,
  strategy: {
    nameValidator: isDNS1123Subdomain,
    tracksGeneration: false,
    returnsDeletedObject: false,
    prepareForCreate() {},
    validate: (lease) => validateLease(lease),
    prepareForUpdate() {},
    validateUpdate: (lease, old) => validateLeaseUpdate(lease, old),
  },
  printer: leasePrinter,
});
