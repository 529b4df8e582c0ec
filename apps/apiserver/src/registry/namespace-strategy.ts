// Namespaces: a DELETE marks the namespace Terminating; the namespace controller empties it and then removes it.
import { isDNS1123Label, validateNamespace, validateNamespaceUpdate, type Namespace } from '@podling/api';
import type { Strategy } from './strategy.ts';
import { resetObjectMetaForStatus } from './object-meta.ts';

export const BUILTIN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export const namespaceStrategy: Strategy<Namespace> = {
  resource: 'namespaces', apiVersion: 'v1', kind: 'Namespace', listKind: 'NamespaceList', namespaced: false, singular: 'namespace',
  nameValidator: isDNS1123Label,
  tracksGeneration: false,
  returnsDeletedObject: true,
  prepareForCreate(ns) {
    ns.spec = { finalizers: ['kubernetes'] };
    ns.status = { phase: 'Active' };
  },
  validate: (ns) => validateNamespace(ns),
  prepareForUpdate(ns, old) {
    ns.status = old.status;
    ns.spec = old.spec;
  },
  validateUpdate: (ns, old) => validateNamespaceUpdate(ns, old),
  status: {
    prepareForUpdate(ns, old) { ns.spec = old.spec; resetObjectMetaForStatus(ns, old); },
    validateUpdate: (ns, old) => validateNamespaceUpdate(ns, old),
  },
  forbidDelete: (ns) => BUILTIN_NAMESPACES.includes(ns.metadata.name ?? '') ? 'this namespace may not be deleted' : undefined,
};
