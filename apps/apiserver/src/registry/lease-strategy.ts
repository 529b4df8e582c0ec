// coordination.k8s.io/v1 Leases: each agent renews one in kube-node-lease as its cheap heartbeat.
import { isDNS1123Subdomain, validateObjectMeta, validateObjectMetaUpdate, type KubeObject } from '@podling/api';
import { leasePrinter } from '../kubectl/simple-tables.ts';
import { defineResource } from './resource.ts';

const validateMeta = (lease: KubeObject) => validateObjectMeta(lease.metadata, { namespaced: true, nameValidator: isDNS1123Subdomain });

export const leases = defineResource<KubeObject>({
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', singular: 'lease', namespaced: true,
  strategy: {
    nameValidator: isDNS1123Subdomain,
    tracksGeneration: false,
    returnsDeletedObject: false,
    prepareForCreate() {},
    validate: validateMeta,
    prepareForUpdate() {},
    validateUpdate: (lease, old) => [...validateObjectMetaUpdate(lease.metadata, old.metadata), ...validateMeta(lease)],
  },
  printer: leasePrinter,
});
