// Which ReplicaSet is a Deployment's "new" one, what it is called and which annotations it carries
// (k/k pkg/controller/deployment/util/deployment_util.go): the new RS is the oldest one whose template equals the
// Deployment's ignoring the pod-template-hash label; its revision is one more than the highest old revision;
// the Deployment's own annotations are copied onto it (that is how kubernetes.io/change-cause reaches
// `kubectl rollout history`), except the controller's bookkeeping keys.
import { semanticEqual } from '@podling/api';
import { desiredReplicas, maxSurge } from './deployment-math.ts';
import { computeHash } from './template-hash.ts';
import type { Deployment, PodTemplate, ReplicaSet } from './workload-types.ts';

export const HASH_LABEL = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const SKIP_COPY = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, 'deprecated.deployment.rollback.to']);

export const revisionOf = (rs: ReplicaSet | Deployment) => Number(rs.metadata.annotations?.[REVISION] ?? 0) || 0;

function withoutHash(t: PodTemplate | undefined): PodTemplate | undefined {
  if (!t?.metadata?.labels?.[HASH_LABEL]) return t;
  const labels = { ...t.metadata.labels };
  delete labels[HASH_LABEL];
  return { ...t, metadata: { ...t.metadata, labels } };
}

export function templatesEqual(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return semanticEqual(withoutHash(a), withoutHash(b));
}

/** FindNewReplicaSet: the oldest RS with the Deployment's template. */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  const created = (rs: ReplicaSet) => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
  return [...rss].sort((a, b) => created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))
    .find((rs) => templatesEqual(rs.spec.template, d.spec.template));
}

/** The annotations the new RS should carry; `changed` says whether they differ from what it has. */
export function newReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): { annotations: Record<string, string>; changed: boolean } {
  const a: Record<string, string> = { ...rs.metadata.annotations };
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!SKIP_COPY.has(k)) a[k] = v;
  const old = revisionOf(rs);
  if (old < newRevision) {
    a[REVISION] = String(newRevision);
    if (exists && old > 0) {
      const history = a[REVISION_HISTORY] ? `${a[REVISION_HISTORY]},${old}` : String(old);
      a[REVISION_HISTORY] = history.length > 2000 ? history.slice(history.indexOf(',', history.length - 2000) + 1) : history;
    }
  }
  if (!exists) Object.assign(a, replicasAnnotations(d));
  return { annotations: a, changed: !semanticEqual(a, rs.metadata.annotations ?? {}) };
}

/** desired-replicas and max-replicas, refreshed whenever the controller scales an RS. */
export function replicasAnnotations(d: Deployment): Record<string, string> {
  return { [DESIRED_REPLICAS]: String(desiredReplicas(d)), [MAX_REPLICAS]: String(desiredReplicas(d) + maxSurge(d)) };
}

/** The new RS object for the Deployment's template (name `<deployment>-<hash>`), before its replica count is set. */
export function buildNewReplicaSet(d: Deployment, controllerRef: NonNullable<ReplicaSet['metadata']['ownerReferences']>[number]): ReplicaSet {
  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  const template: PodTemplate = structuredClone(d.spec.template);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [HASH_LABEL]: hash };
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, ownerReferences: [controllerRef], labels: template.metadata.labels },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
}
