// Events are kept for --event-ttl (1h by default, like kube-apiserver) and then removed through the generic store,
// like any other delete (watchers see DELETED).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { KubeEvent } from '@podling/api';
import { events } from '../registry/event-strategy.ts';
import type { Registry } from '../registry/registry.ts';

/** Events read per event-loop turn: a cluster of 30,000 pods holds ~90,000 events, whose reading in one turn stalled
 *  every request behind it for a good part of a second. */
const PAGE = 500;

export function startEventExpiry(registry: Registry, ttlMs: number, log: FastifyBaseLogger): { stop(): void } {
  let running = false;
  const sweep = async () => {
    const cutoff = Date.now() - ttlMs;
    let token: string | undefined;
    do {
      const page = registry.list(events, undefined, { limit: PAGE, continue: token, countRemaining: false });
      const expired: Promise<unknown>[] = [];
      for (const item of page.items) {
        const ev = item.object as KubeEvent;
        const t = Date.parse(ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp ?? '');
        if (Number.isFinite(t) && t < cutoff) {
          const m = ev.metadata;
          // One page's deletes share a commit. Only the version judged is deleted: one updated meanwhile is the next
          // sweep's to judge.
          const preconditions = { uid: m.uid, resourceVersion: m.resourceVersion };
          expired.push(registry.delete(events, m.namespace, m.name!, { preconditions }).catch(() => undefined));
        }
      }
      await Promise.all(expired);
      token = page.continue;
      if (token) await nextTurn();
    } while (token);
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep().catch((err) => log.warn({ err }, 'event expiry failed')).finally(() => { running = false; });
  }, Math.min(ttlMs, 60_000)).unref();
  return { stop() { clearInterval(timer); } };
}
