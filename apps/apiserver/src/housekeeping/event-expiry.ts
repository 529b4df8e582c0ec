// Events are kept for --event-ttl (1h by default, like kube-apiserver) and then removed.
import type { FastifyBaseLogger } from 'fastify';
import type { Storage } from '@podling/store';

export function startEventExpiry(storage: Storage, ttlMs: number, log: FastifyBaseLogger): { stop(): void } {
  const sweep = async () => {
    const cutoff = Date.now() - ttlMs;
    for (const item of storage.list('events').items) {
      const ev = item.object as { lastTimestamp?: string; eventTime?: string; metadata: { creationTimestamp?: string | null } };
      const t = Date.parse(ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp ?? '');
      if (Number.isFinite(t) && t < cutoff) {
        const m = item.object.metadata;
        await storage.delete({ resource: 'events', namespace: m.namespace ?? '', name: m.name! }).catch(() => undefined);
      }
    }
  };
  const timer = setInterval(() => { sweep().catch((err) => log.warn({ err }, 'event expiry failed')); }, Math.min(ttlMs, 60_000)).unref();
  return { stop() { clearInterval(timer); } };
}
