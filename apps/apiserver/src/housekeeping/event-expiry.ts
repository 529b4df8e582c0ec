// Events are kept for --event-ttl (1h by default, like kube-apiserver) and then removed through the generic store,
// like any other delete (watchers see DELETED).
import type { FastifyBaseLogger } from 'fastify';
import type { KubeEvent } from '@podling/api';
import { events } from '../registry/event-strategy.ts';
import type { Registry } from '../registry/registry.ts';

export function startEventExpiry(registry: Registry, ttlMs: number, log: FastifyBaseLogger): { stop(): void } {
  const sweep = async () => {
    const cutoff = Date.now() - ttlMs;
    for (const item of registry.list(events, undefined, {}).items) {
      const ev = item.object as KubeEvent;
      const t = Date.parse(ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp ?? '');
      if (Number.isFinite(t) && t < cutoff) {
        const m = ev.metadata;
        await registry.delete(events, m.namespace, m.name!, { preconditions: { uid: m.uid } }).catch(() => undefined);
      }
    }
  };
  const timer = setInterval(() => { sweep().catch((err) => log.warn({ err }, 'event expiry failed')); }, Math.min(ttlMs, 60_000)).unref();
  return { stop() { clearInterval(timer); } };
}
