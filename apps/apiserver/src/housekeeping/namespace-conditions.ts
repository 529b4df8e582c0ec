// The status conditions a terminating namespace carries, so whoever waits on it can see why it is not gone yet
// (kubernetes pkg/controller/namespace/deletion/status_condition_utils.go; texts and reasons are Kubernetes').
// Every pass sets all five types: True with what went wrong, or False with the "ok" text. Podling has no API
// discovery or group-version parsing to fail, so those two are always their ok variant.
import type { NamespaceCondition } from '@podling/api';

/** What one finalizer pass found in a namespace. */
export interface DeletionTally {
  /** Objects still present, by resource and API group ("pods", ""). */
  remaining: Map<string, number>;
  /** Objects still present, by finalizer name. */
  finalizers: Map<string, number>;
  /** Messages of deletes that failed this pass. */
  errors: string[];
}

type Verdict = Pick<NamespaceCondition, 'status' | 'reason' | 'message'>;

const OK: Record<string, Verdict> = {
  NamespaceDeletionDiscoveryFailure: { status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
};

export function emptyTally(): DeletionTally {
  return { remaining: new Map(), finalizers: new Map(), errors: [] };
}

/** Counts one object of `resource` (group-qualified the way Kubernetes prints it: "pods.") still in the namespace. */
export function countRemaining(t: DeletionTally, resource: string, finalizers: string[] | undefined): void {
  t.remaining.set(resource, (t.remaining.get(resource) ?? 0) + 1);
  for (const f of finalizers ?? []) t.finalizers.set(f, (t.finalizers.get(f) ?? 0) + 1);
}

function verdicts(t: DeletionTally): Record<string, Verdict> {
  const out = { ...OK };
  if (t.errors.length) {
    const msgs = [...t.errors].sort();
    out.NamespaceDeletionContentFailure = {
      status: 'True', reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`,
    };
  }
  if (t.remaining.size) {
    const parts = [...t.remaining].map(([r, n]) => `${r} has ${n} resource instances`).sort();
    out.NamespaceContentRemaining = { status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${parts.join(', ')}` };
  }
  if (t.finalizers.size) {
    const parts = [...t.finalizers].map(([f, n]) => `${f} in ${n} resource instances`).sort();
    out.NamespaceFinalizersRemaining = { status: 'True', reason: 'SomeFinalizerRemain', message: `Some finalizers are remaining: ${parts.join(', ')}` };
  }
  return out;
}

/**
 * The namespace's conditions after a pass, or undefined when nothing changed (so an idle pass writes nothing).
 * A condition keeps its lastTransitionTime unless its status flips; conditions of other types are kept.
 */
export function updatedConditions(existing: NamespaceCondition[] | undefined, t: DeletionTally, now: string): NamespaceCondition[] | undefined {
  const next = [...(existing ?? [])].map((c) => ({ ...c }));
  let changed = false;
  for (const [type, v] of Object.entries(verdicts(t))) {
    const old = next.find((c) => c.type === type);
    if (!old) { next.push({ type, ...v, lastTransitionTime: now }); changed = true; continue; }
    if (old.status === v.status && old.reason === v.reason && old.message === v.message) continue;
    if (old.status !== v.status) old.lastTransitionTime = now;
    Object.assign(old, v);
    changed = true;
  }
  return changed ? next : undefined;
}
