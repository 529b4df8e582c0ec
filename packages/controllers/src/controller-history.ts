// The template history of DaemonSets and StatefulSets as ControllerRevisions (k/k pkg/controller/history and
// pkg/controller/daemon/update.go constructHistory). Each distinct pod template is one revision named
// `<owner>-<hash>`, controlled by the owner, whose `data` is the strategic merge patch that restores it
// (`{"spec":{"template":{…,"$patch":"replace"}}}` — what `kubectl rollout undo` applies). The current template's
// revision gets the highest `revision` number: a template equal to an older revision reuses it and bumps its
// number, as a rollback does. The hash is Deployments' pod-template-hash (template-hash.ts) with the owner's
// collisionCount; a different object already holding the name bumps collisionCount, and the next sync hashes anew.
import { isStatusError, semanticEqual, type ControllerRevision, type KubeObject } from '@podling/api';
import type { KubeClientApi } from '@podling/client';
import { controllerRefOf, newControllerRef, type OwnerKind } from './owner-references.ts';
import { writeStatus } from './status-writer.ts';
import { computeHash } from './template-hash.ts';
import type { PodTemplate } from './workload-types.ts';

/** The revision label of DaemonSet revisions and pods (the hash) and of StatefulSet pods (the revision name). */
export const CONTROLLER_REVISION_HASH = 'controller-revision-hash';
/** The hash label of StatefulSet revisions (k/k history.ControllerRevisionHashLabel). */
export const HISTORY_HASH_LABEL = 'controller.kubernetes.io/hash';

export interface HistoryOwner extends KubeObject {
  spec: { template: PodTemplate; revisionHistoryLimit?: number };
  status?: { collisionCount?: number };
}

export const revisionNumber = (cr: ControllerRevision) => cr.revision ?? 0;

export function revisionData(template: PodTemplate): unknown {
  return { spec: { template: { ...structuredClone(template), $patch: 'replace' } } };
}

/** The pod template a revision restores. */
export function templateOfRevision(cr: ControllerRevision): PodTemplate {
  const t = structuredClone((cr.data as { spec?: { template?: PodTemplate & { $patch?: string } } } | undefined)?.spec?.template ?? {});
  delete t.$patch;
  return t;
}

export interface HistoryContext {
  client: KubeClientApi;
  owner: HistoryOwner;
  ownerKind: OwnerKind;
  /** Plural of the owner, for its collisionCount. */
  ownerResource: string;
  /** The label that carries the hash on the revision. */
  hashLabel: string;
}

/**
 * The revision of the owner's current template, created or renumbered as needed; `revisions` are the owner's
 * claimed revisions and get the result added or updated in place.
 */
export async function syncCurrentRevision(ctx: HistoryContext, revisions: ControllerRevision[]): Promise<ControllerRevision> {
  const { client, owner } = ctx;
  const data = revisionData(owner.spec.template);
  const max = Math.max(0, ...revisions.map(revisionNumber));
  const equal = revisions.filter((r) => semanticEqual(r.data, data)).sort((a, b) => revisionNumber(b) - revisionNumber(a))[0];
  const ref = { resource: 'controllerrevisions', namespace: owner.metadata.namespace };
  if (equal) {
    if (revisionNumber(equal) === max) return equal;
    const bumped = await client.patch<ControllerRevision>(ref, equal.metadata.name!, { revision: max + 1 });
    revisions.splice(revisions.indexOf(equal), 1, bumped);
    return bumped;
  }
  const hash = computeHash(owner.spec.template, owner.status?.collisionCount);
  const cr: ControllerRevision = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: `${owner.metadata.name}-${hash}`, namespace: owner.metadata.namespace,
      labels: { ...owner.spec.template.metadata?.labels, [ctx.hashLabel]: hash },
      ownerReferences: [newControllerRef(owner, ctx.ownerKind)],
    },
    data: data as ControllerRevision['data'], revision: max + 1,
  };
  try {
    const created = await client.create<ControllerRevision>(ref, cr);
    revisions.push(created);
    return created;
  } catch (err) {
    if (!isStatusError(err) || err.code !== 409) throw err;
    const existing = await client.get<ControllerRevision>(ref, cr.metadata.name!);
    if (controllerRefOf(existing)?.uid === owner.metadata.uid && semanticEqual(existing.data, data)) {
      // Ours, missing from the cache: renumber it as the current one.
      const bumped = await client.patch<ControllerRevision>(ref, existing.metadata.name!, { revision: max + 1 });
      revisions.push(bumped);
      return bumped;
    }
    await writeStatus(client, ctx.ownerResource, owner, { ...owner.status, collisionCount: (owner.status?.collisionCount ?? 0) + 1 });
    throw new Error(`hash collision for controller revision ${cr.metadata.name}`);
  }
}

/**
 * Deletes the oldest revisions beyond revisionHistoryLimit, never one in `live` (the names still used by pods or
 * named in status), as k/k cleanupHistory / truncateHistory do.
 */
export async function trimHistory(ctx: HistoryContext, revisions: ControllerRevision[], live: Set<string>): Promise<void> {
  const limit = ctx.owner.spec.revisionHistoryLimit ?? 10;
  const old = revisions.filter((r) => !live.has(r.metadata.name!)).sort((a, b) => revisionNumber(a) - revisionNumber(b));
  const ref = { resource: 'controllerrevisions', namespace: ctx.owner.metadata.namespace };
  for (const r of old.slice(0, Math.max(0, old.length - limit))) {
    try {
      await ctx.client.delete(ref, r.metadata.name!, { preconditions: { uid: r.metadata.uid } });
    } catch (err) {
      if (!isStatusError(err) || err.code !== 404) throw err;
    }
  }
}
