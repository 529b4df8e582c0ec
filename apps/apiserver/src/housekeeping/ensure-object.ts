// Objects the apiserver keeps itself (the `kubernetes` and `kube-dns` Services and their endpoints): written only
// when what is stored does not already say what the apiserver wants, so a restart that changes nothing writes nothing.
import { isStatusError, type KubeObject } from '@podling/api';
import { isStorageError } from '@podling/store';
import type { Registry } from '../registry/registry.ts';
import type { Resource } from '../registry/resource.ts';

/** Creates the object `ns/name`, or replaces its `fields` when they differ from `body`'s. */
export async function ensureObject(registry: Registry, r: Resource, ns: string, name: string, body: KubeObject, fields: string[]): Promise<void> {
  const found = registry.storage.get(registry.key(r, ns, name));
  if (!found) {
    try { await registry.create(r, ns, body); } catch (e) { if (!isStorageError(e, 'KeyExists') && !(isStatusError(e) && e.code === 409)) throw e; }
    return;
  }
  const cur = found.object; // a fresh parse: ours to change
  // Stored objects carry defaults the body leaves out: what the body says must already be there, nothing more, so
  // a restart that changes nothing writes nothing (and the revision stays where it was).
  if (fields.every((f) => covers(cur[f], body[f]))) return;
  for (const f of fields) cur[f] = body[f];
  await registry.update(r, ns, name, cur);
}

/** Whether `have` holds every value of `want`: object keys may be extra, arrays match element by element. */
function covers(have: unknown, want: unknown): boolean {
  if (want === undefined) return true;
  if (Array.isArray(want) && want.length === 0 && have === undefined) return true; // an empty list is not stored
  if (typeof want !== 'object' || want === null) return have === want;
  if (typeof have !== 'object' || have === null || Array.isArray(want) !== Array.isArray(have)) return false;
  if (Array.isArray(want)) return want.length === (have as unknown[]).length && want.every((w, i) => covers((have as unknown[])[i], w));
  return Object.entries(want).every(([k, w]) => covers((have as Record<string, unknown>)[k], w));
}
