// Adoption and release of dependents (k/k pkg/controller/controller_ref_manager.go). For each candidate in the
// owner's namespace:
//   - controlled by me: keep it while my selector matches; otherwise release it (unless I am being deleted);
//   - controlled by someone else: not mine;
//   - orphan that my selector matches, neither of us being deleted: adopt it — but only after a live GET of the
//     owner shows it still exists with the same UID and no deletionTimestamp (the cache may be stale, and adopting
//     for a deleted owner would hand the pod to the garbage collector).
// Adopt and release are strategic merge patches keyed by the reference's uid, carrying the dependent's uid as a
// precondition; a dependent that vanished or changed meanwhile is simply not claimed.
import { isStatusError, type KubeObject } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
import { controllerRefOf, newControllerRef, type OwnerKind } from './owner-references.ts';

export type ClaimDecision = 'owned' | 'adopt' | 'release' | 'ignore';

export function claimDecision(owner: KubeObject, matches: boolean, obj: KubeObject): ClaimDecision {
  const ref = controllerRefOf(obj);
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  if (ref) {
    if (ref.uid !== owner.metadata.uid) return 'ignore';
    if (matches) return 'owned';
    return ownerDeleting ? 'ignore' : 'release';
  }
  if (!matches || ownerDeleting || obj.metadata.deletionTimestamp) return 'ignore';
  return 'adopt';
}

export interface ClaimOptions<T extends KubeObject> {
  client: KubeClientApi;
  /** Plural of the dependents, e.g. 'pods'. */
  resource: string;
  owner: KubeObject;
  ownerKind: OwnerKind;
  /** Plural of the owner, for the live re-check before adopting. */
  ownerResource: string;
  matches: (obj: T) => boolean;
}

/** Returns the dependents the owner controls after adopting and releasing as above. */
export async function claimObjects<T extends KubeObject>(opts: ClaimOptions<T>, candidates: T[]): Promise<T[]> {
  const { client, owner } = opts;
  const ref = { resource: opts.resource, namespace: owner.metadata.namespace };
  const claimed: T[] = [];
  let canAdopt: Promise<boolean> | undefined;
  const work: Promise<void>[] = [];
  for (const obj of candidates) {
    const d = claimDecision(owner, opts.matches(obj), obj);
    if (d === 'owned') claimed.push(obj);
    else if (d === 'adopt') {
      canAdopt ??= ownerStillLive(opts);
      work.push((async () => {
        if (!(await canAdopt)) return;
        const patch = { metadata: { ownerReferences: [newControllerRef(owner, opts.ownerKind)], uid: obj.metadata.uid } };
        const adopted = await ignoreGone(client.patch<T>(ref, obj.metadata.name!, patch, 'strategic'));
        if (adopted) claimed.push(adopted);
      })());
    } else if (d === 'release') {
      const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: owner.metadata.uid }], uid: obj.metadata.uid } };
      work.push(ignoreGone(client.patch<T>(ref, obj.metadata.name!, patch, 'strategic')).then(() => undefined));
    }
  }
  await Promise.all(work);
  return claimed;
}

async function ownerStillLive<T extends KubeObject>(opts: ClaimOptions<T>): Promise<boolean> {
  try {
    const fresh = await opts.client.get({ resource: opts.ownerResource, namespace: opts.owner.metadata.namespace }, opts.owner.metadata.name!);
    return fresh.metadata.uid === opts.owner.metadata.uid && !fresh.metadata.deletionTimestamp;
  } catch (err) {
    if (isStatusError(err) && err.code === 404) return false;
    throw err;
  }
}

/** 404 (gone) and 409/422 (changed, e.g. another UID under the same name) mean: not ours to claim now. */
async function ignoreGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isStatusError(err) && [404, 409, 422].includes(err.code)) return undefined;
    throw err;
  }
}
