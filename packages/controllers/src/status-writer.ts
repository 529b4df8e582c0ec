// Writes a controller's computed status only when it differs from what the cache holds (k/k controllers skip
// no-op status updates), as a merge patch of the whole status: fields the old status had and the new one lacks
// are sent as null so they are removed, not kept. A 404 means the object went away: nothing to report on.
// `guarded` sends the resourceVersion the status was computed from, so a write based on a stale cache is refused
// (409, the sync retries) — for controllers whose status is a ledger (Job counters, CronJob active list).
import { isStatusError, semanticEqual, type KubeObject } from '@podling/api';
import type { KubeClientApi } from '@podling/client';

export async function writeStatus<T extends KubeObject>(client: KubeClientApi, resource: string, obj: T, status: object, guarded = false): Promise<T | undefined> {
  const old = (obj.status ?? {}) as Record<string, unknown>;
  if (semanticEqual(old, status)) return obj;
  const patch: Record<string, unknown> = { ...status };
  for (const k of Object.keys(old)) if (!(k in patch)) patch[k] = null;
  try {
    return await client.patchStatus<T>({ resource, namespace: obj.metadata.namespace }, obj.metadata.name!, guarded ? { metadata: { resourceVersion: obj.metadata.resourceVersion }, status: patch } : { status: patch });
  } catch (err) {
    if (isStatusError(err) && err.code === 404) return undefined;
    throw err;
  }
}
