// Empties terminating namespaces and then removes them (the namespace controller's job), through the generic store:
// every namespaced object gets an ordinary DELETE (pods their graceful one, so their agents stop them first); once
// nothing is left, `kubernetes` is dropped from spec.finalizers through /finalize and a last DELETE removes the
// namespace.
import type { FastifyBaseLogger } from 'fastify';
import type { Storage, WatchHandle } from '@podling/store';
import { namespaces } from '../registry/namespace-strategy.ts';
import type { Registry } from '../registry/registry.ts';
import { RESOURCES } from '../registry/resources.ts';

const CONTENT = RESOURCES.filter((r) => r.namespaced);

export function startNamespaceFinalizer(storage: Storage, registry: Registry, log: FastifyBaseLogger): { stop(): void } {
  let scheduled = false;
  let stopped = false;
  const schedule = () => {
    if (scheduled || stopped) return;
    scheduled = true;
    setImmediate(() => { scheduled = false; sweep().catch((err) => log.warn({ err }, 'namespace finalizer sweep failed')); });
  };
  const sweep = async () => {
    const terminating = registry.list(namespaces, undefined, {}).items.filter((n) => n.object.metadata.deletionTimestamp);
    for (const ns of terminating) {
      const name = ns.object.metadata.name!;
      let remaining = 0;
      for (const r of CONTENT) {
        for (const item of registry.list(r, name, {}).items) {
          remaining++;
          if (item.object.metadata.deletionTimestamp) continue;
          await registry.delete(r, name, item.object.metadata.name!, { preconditions: { uid: item.object.metadata.uid } }).catch(() => undefined);
        }
      }
      if (remaining > 0) continue;
      const spec = ns.object.spec as { finalizers?: string[] } | undefined;
      try {
        if (spec?.finalizers?.includes('kubernetes')) {
          const body = structuredClone(ns.object);
          delete body.metadata.resourceVersion;
          (body.spec as { finalizers?: string[] }).finalizers = spec.finalizers.filter((f) => f !== 'kubernetes');
          await registry.update(namespaces, undefined, name, body, 'finalize');
        }
        await registry.delete(namespaces, undefined, name, { preconditions: { uid: ns.object.metadata.uid } });
      } catch (err) {
        if ((err as { code?: number }).code !== 404 && (err as { code?: number }).code !== 409) throw err;
      }
    }
  };
  const rv = storage.currentRevision();
  const handles: WatchHandle[] = ['namespaces', ...CONTENT.map((r) => r.resource)].map((resource) =>
    storage.watch({ resource, fromRv: rv }, (batch) => {
      if (resource === 'namespaces' || batch.some((c) => c.type === 'DELETED')) schedule();
    }));
  schedule();
  return { stop() { stopped = true; for (const h of handles) h.stop(); } };
}
