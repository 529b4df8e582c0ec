// Empties terminating namespaces and then removes them (the namespace controller's job). Pods get an ordinary
// graceful delete, so their agents stop them first; the namespace goes once nothing is left in it.
import type { FastifyBaseLogger } from 'fastify';
import type { Storage, WatchHandle } from '@podling/store';
import { deleteObject } from '../registry/delete.ts';
import type { Registry } from '../registry/registry.ts';
import { STRATEGIES } from '../registry/strategies.ts';

const CONTENT = ['pods', 'events'];

export function startNamespaceFinalizer(storage: Storage, registry: Registry, log: FastifyBaseLogger): { stop(): void } {
  let scheduled = false;
  let stopped = false;
  const schedule = () => {
    if (scheduled || stopped) return;
    scheduled = true;
    setImmediate(() => { scheduled = false; sweep().catch((err) => log.warn({ err }, 'namespace finalizer sweep failed')); });
  };
  const sweep = async () => {
    const terminating = storage.list('namespaces').items.filter((n) => n.object.metadata.deletionTimestamp);
    for (const ns of terminating) {
      const name = ns.object.metadata.name!;
      let remaining = 0;
      for (const resource of CONTENT) {
        const s = STRATEGIES[resource];
        for (const item of storage.list(resource, { namespace: name }).items) {
          remaining++;
          if (item.object.metadata.deletionTimestamp) continue;
          await deleteObject(registry, s, name, item.object.metadata.name!, {}).catch(() => undefined);
        }
      }
      if (remaining === 0) await storage.delete({ resource: 'namespaces', namespace: '', name }).catch(() => undefined);
    }
  };
  const rv = storage.currentRevision();
  const handles: WatchHandle[] = ['namespaces', ...CONTENT].map((resource) =>
    storage.watch({ resource, fromRv: rv }, (batch) => {
      if (resource === 'namespaces' || batch.some((c) => c.type === 'DELETED')) schedule();
    }));
  schedule();
  return { stop() { stopped = true; for (const h of handles) h.stop(); } };
}
