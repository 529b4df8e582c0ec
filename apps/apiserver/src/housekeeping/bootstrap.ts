// Objects every cluster has from the start: the built-in namespaces.
import { isStorageError, type Storage } from '@podling/store';
import { BUILTIN_NAMESPACES, namespaces } from '../registry/namespace-strategy.ts';
import type { Registry } from '../registry/registry.ts';

export async function ensureBuiltinNamespaces(storage: Storage, registry: Registry): Promise<void> {
  for (const name of BUILTIN_NAMESPACES) {
    if (storage.get({ resource: 'namespaces', namespace: '', name })) continue;
    try {
      await registry.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (e) {
      if (!isStorageError(e, 'KeyExists')) throw e;
    }
  }
}
