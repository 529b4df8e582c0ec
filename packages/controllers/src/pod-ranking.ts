// Which pods a ReplicaSet deletes first when it has too many (k/k pkg/controller/controller_utils.go
// ActivePodsWithRanks.Less). Pairwise, the first rule that tells two pods apart wins; "first" = deleted first:
//   1. unscheduled before scheduled; 2. Pending before Unknown before Running; 3. not Ready before Ready;
//   4. lower pod-deletion-cost annotation first; 5. more pods of the same owner family on its node first;
//   6. both Ready: Ready for a shorter time first (log2 buckets of age); 7. more container restarts first;
//   8. newer first (log2 buckets of age); ties by UID.
import type { Pod } from '@podling/api';
import { isPodReady, readySince } from './pod-state.ts';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrder: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(p: Pod): number {
  const v = Number(p.metadata.annotations?.[POD_DELETION_COST] ?? 0);
  return Number.isInteger(v) ? v : 0;
}

function maxRestarts(p: Pod): number {
  return Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => (c as { restartCount?: number }).restartCount ?? 0));
}

/** Ages compared on a log2 scale, so pods of about the same age count as equal (k/k logarithmicRankDiff). */
function log2Bucket(since: number, now: number): number {
  const age = Math.max(0, now - since);
  return age <= 0 ? 0 : Math.floor(Math.log2(age / 1000 + 1));
}

const created = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;

/**
 * `pods` sorted so the first ones are the ones to delete. `rank(p)` is the number of active pods of p's owner
 * family on p's node (rule 5).
 */
export function rankPodsForDeletion(pods: Pod[], rank: (p: Pod) => number, now: number): Pod[] {
  const uid = (p: Pod) => p.metadata.uid ?? '';
  return [...pods].sort((a, b) => {
    if (!a.spec.nodeName !== !b.spec.nodeName) return a.spec.nodeName ? 1 : -1;
    const pa = phaseOrder[a.status?.phase ?? 'Pending'] ?? 0, pb = phaseOrder[b.status?.phase ?? 'Pending'] ?? 0;
    if (pa !== pb) return pa - pb;
    const ra = isPodReady(a), rb = isPodReady(b);
    if (ra !== rb) return ra ? 1 : -1;
    const ca = deletionCost(a), cb = deletionCost(b);
    if (ca !== cb) return ca - cb;
    const na = rank(a), nb = rank(b);
    if (na !== nb) return nb - na;
    if (ra && rb) {
      const ba = log2Bucket(readySince(a)!, now), bb = log2Bucket(readySince(b)!, now);
      if (ba !== bb) return ba - bb;
    }
    const xa = maxRestarts(a), xb = maxRestarts(b);
    if (xa !== xb) return xb - xa;
    const ga = log2Bucket(created(a), now), gb = log2Bucket(created(b), now);
    if (ga !== gb) return ga - gb;
    return uid(a) < uid(b) ? -1 : uid(a) > uid(b) ? 1 : 0;
  });
}
