// Namespaces: a DELETE marks the namespace Terminating; the namespace finalizer empties it, clears spec.finalizers
// through /finalize and deletes it again, which then removes it (pkg/registry/core/namespace/storage/storage.go).
import { isDNS1123Label, validateNamespace, validateNamespaceUpdate, type Namespace, rfc3339 } from '@podling/api';
import { namespacePrinter } from '../kubectl/simple-tables.ts';
import { resetObjectMetaForStatus } from './object-meta.ts';
import { defineResource } from './resource.ts';

export const BUILTIN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export const namespaces = defineResource<Namespace>({
  group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', singular: 'namespace', namespaced: false,
  shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  strategy: {
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
    forbidDelete: (ns) => BUILTIN_NAMESPACES.includes(ns.metadata.name ?? '') ? 'this namespace may not be deleted' : undefined,
    /** First DELETE: Terminating. Later ones: kept while spec.finalizers remain, removed once they are gone. */
    markForDeletion(ns) {
      if (!ns.metadata.deletionTimestamp) {
        const next = structuredClone(ns);
        next.metadata.deletionTimestamp = rfc3339();
        next.status = { ...(next.status ?? {}), phase: 'Terminating' };
        return next;
      }
      return ns.spec?.finalizers?.length ? ns : undefined;
    },
  },
  updateSubresources: {
    status: {
      prepareForUpdate(ns, old) { ns.spec = old.spec; resetObjectMetaForStatus(ns, old); },
      validateUpdate: (ns, old) => validateNamespaceUpdate(ns, old),
    },
    // Only spec.finalizers may change here (the namespace controller's last step).
    finalize: {
      verbs: ['update'],
      prepareForUpdate(ns, old) {
        const finalizers = ns.spec?.finalizers;
        ns.spec = { ...(old.spec ?? {}) };
        if (finalizers?.length) ns.spec.finalizers = finalizers; else delete ns.spec.finalizers;
        ns.status = old.status;
      },
      validateUpdate: (ns, old) => validateNamespaceUpdate(ns, old),
    },
  },
  printer: namespacePrinter,
});
