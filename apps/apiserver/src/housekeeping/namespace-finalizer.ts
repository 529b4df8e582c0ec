// Empties terminating namespaces and then removes them (the namespace controller's job, kubernetes
// pkg/controller/namespace/deletion/namespaced_resources_deleter.go), through the generic store: every namespaced
// object gets an ordinary DELETE (pods their graceful one, so their agents stop them first); once nothing is left,
// `kubernetes` is dropped from spec.finalizers through /finalize and a last DELETE removes the namespace.
//
// A pass never swallows an error: a delete that fails is logged, shown on the namespace as the
// NamespaceDeletionContentFailure condition (with what remains and which finalizers hold it, namespace-conditions.ts),
// and the pass is retried with back-off until it succeeds — a namespace delete never hangs silently.
import type { FastifyBaseLogger } from 'fastify';
import { isStatusError, type KubeObject, type Namespace, rfc3339 } from '@podling/api';
import { isStorageError, type Storage, type WatchHandle } from '@podling/store';
import { namespaces } from '../registry/namespace-strategy.ts';
import type { Registry } from '../registry/registry.ts';
import { RESOURCES } from '../registry/resources.ts';
import { countRemaining, emptyTally, updatedConditions, type DeletionTally } from './namespace-conditions.ts';

const CONTENT = RESOURCES.filter((r) => r.namespaced);
/** Retry back-off after a failed pass: long enough not to spin on a persistent error, short enough to notice a fix. */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/** The object went away (or was replaced) between the list and the write: nothing left to do for it. */
const gone = (err: unknown): boolean => (isStatusError(err) && (err.code === 404 || err.code === 409)) || isStorageError(err, 'NotFound');

export function startNamespaceFinalizer(storage: Storage, registry: Registry, log: FastifyBaseLogger): { stop(): void } {
  let scheduled = false;
  let stopped = false;
  let retryMs = RETRY_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (scheduled || stopped) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      sweep().then((failed) => {
        if (!failed) { retryMs = RETRY_MIN_MS; return; }
        clearTimeout(retryTimer);
        retryTimer = setTimeout(schedule, retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }, (err) => log.error({ err }, 'namespace finalizer sweep failed'));
    });
  };
  /** One pass over every terminating namespace; true when some write failed and the pass must be retried. */
  const sweep = async (): Promise<boolean> => {
    let failed = false;
    // StoredObject.object parses its JSON at each read: each namespace is parsed once here and passed on.
    for (const ns of registry.list(namespaces, undefined, {}).items.map((n) => n.object).filter((n) => n.metadata.deletionTimestamp)) {
      if (stopped) break;
      failed = (await finalizeNamespace(ns)) || failed;
    }
    return failed;
  };
  const finalizeNamespace = async (ns: KubeObject): Promise<boolean> => {
    const name = ns.metadata.name!;
    const tally = emptyTally();
    for (const r of CONTENT) {
      for (const item of registry.list(r, name, {}).items) {
        const m = item.object.metadata;
        countRemaining(tally, `${r.resource}.${r.group}`, m.finalizers);
        if (m.deletionTimestamp) continue;
        try {
          await registry.delete(r, name, m.name!, { preconditions: { uid: m.uid } });
        } catch (err) {
          if (gone(err)) continue;
          log.error({ err, namespace: name, resource: r.resource, name: m.name }, 'namespace finalizer could not delete an object');
          tally.errors.push(`${r.resource} ${JSON.stringify(m.name)}: ${(err as Error).message}`);
        }
      }
    }
    if (tally.remaining.size > 0) {
      await report(name, tally);
      return tally.errors.length > 0;
    }
    try {
      const uid = ns.metadata.uid;
      const spec = ns.spec as { finalizers?: string[] } | undefined;
      if (spec?.finalizers?.includes('kubernetes')) {
        delete ns.metadata.resourceVersion; // ns is this sweep's own parse
        spec.finalizers = spec.finalizers.filter((f) => f !== 'kubernetes');
        await registry.update(namespaces, undefined, name, ns, 'finalize');
      }
      await registry.delete(namespaces, undefined, name, { preconditions: { uid } });
    } catch (err) {
      if (gone(err)) return false;
      log.error({ err, namespace: name }, 'namespace finalizer could not remove an empty namespace');
      return true;
    }
    return false;
  };
  /** Writes the namespace's conditions when this pass changed them. */
  const report = async (name: string, tally: DeletionTally) => {
    const current = storage.get({ resource: 'namespaces', namespace: '', name });
    const conditions = current && updatedConditions((current.object as Namespace).status?.conditions, tally, rfc3339());
    if (!conditions) return;
    try {
      await registry.patch(namespaces, undefined, name, 'merge', { status: { conditions } }, 'status');
    } catch (err) {
      log.warn({ err, namespace: name }, 'namespace finalizer could not update the namespace conditions');
    }
  };
  const rv = storage.currentRevision();
  const handles: WatchHandle[] = ['namespaces', ...CONTENT.map((r) => r.resource)].map((resource) =>
    storage.watch({ resource, fromRv: rv }, (batch) => {
      if (resource === 'namespaces' || batch.some((c) => c.type === 'DELETED')) schedule();
    }));
  schedule();
  return { stop() { stopped = true; clearTimeout(retryTimer); for (const h of handles) h.stop(); } };
}
