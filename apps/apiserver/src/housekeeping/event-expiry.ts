// Events are kept for --event-ttl (1h by default) after their last write, as kube-apiserver keeps them: there each
// write attaches an etcd lease of that TTL (pkg/registry/core/event/strategy.go, storage TTL). Here the sweep
// remembers which revision the store had reached at each tick, so an event whose state is at or below the revision
// of a tick at least a TTL ago was last written before then; the rest are never read. Removal goes through the
// generic store like any other delete (watchers see DELETED).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { events } from '../registry/event-strategy.ts';
import type { Registry } from '../registry/registry.ts';

/** Expired events read per event-loop turn. */
const PAGE = 500;

export interface RevisionMark { at: number; rv: number }

/** Drops the marks no later sweep needs and returns the revision every state written before `cutoff` is at or
 *  below: that of the newest mark taken at or before it (undefined while there is none). */
export function expiredUpTo(marks: RevisionMark[], cutoff: number): number | undefined {
  while (marks.length > 1 && marks[1].at <= cutoff) marks.shift();
  return marks.length > 0 && marks[0].at <= cutoff ? marks[0].rv : undefined;
}

export function startEventExpiry(registry: Registry, ttlMs: number, log: FastifyBaseLogger): { stop(): void } {
  const marks: RevisionMark[] = [];
  let running = false;
  const sweep = async (writtenBy: number) => {
    let token: string | undefined;
    do {
      const page = registry.list(events, undefined, { writtenBy, limit: PAGE, continue: token, countRemaining: false });
      // One page's deletes share a commit. Only the state judged is deleted: one rewritten meanwhile has a new TTL.
      await Promise.all(page.items.map((item) => {
        const m = item.object.metadata;
        const preconditions = { uid: m.uid, resourceVersion: m.resourceVersion };
        return registry.delete(events, m.namespace, m.name!, { preconditions }).catch(() => undefined);
      }));
      token = page.continue;
      if (token) await nextTurn();
    } while (token);
  };
  const tick = () => {
    const now = Date.now();
    marks.push({ at: now, rv: registry.storage.currentRevision() });
    const writtenBy = expiredUpTo(marks, now - ttlMs);
    if (running || writtenBy === undefined) return;
    running = true;
    sweep(writtenBy).catch((err) => log.warn({ err }, 'event expiry failed')).finally(() => { running = false; });
  };
  // A tick every tenth of the TTL (at most a minute): an event goes within two ticks after its TTL (the first mark
  // above its write, then the sweep once that mark is a TTL old).
  const timer = setInterval(tick, Math.min(Math.max(ttlMs / 10, 200), 60_000)).unref();
  return { stop() { clearInterval(timer); } };
}
