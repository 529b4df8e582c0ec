// Which nodes a DaemonSet wants and what its pod for a node looks like (k/k pkg/controller/daemon
// daemon_controller.go NodeShouldRunDaemonPod, util/daemonset_util.go). Eligibility is judged on the template with
// the automatic daemon tolerations added: a pod made elsewhere (template nodeName), a nodeSelector or required node
// affinity that refuses the node, or an untolerated NoSchedule/NoExecute taint rule a node out; only an
// untolerated NoExecute taint also evicts the pod already there. The pod itself is pinned to its node by a
// required `metadata.name` field affinity that replaces any the template had, and the default scheduler binds it.
import type { Node, OwnerReference, Pod, Toleration } from '@podling/api';
import { CONTROLLER_REVISION_HASH } from './controller-history.ts';
import { podMatchesNodeConstraints, pinnedNodeName } from './node-affinity.ts';
import { podFromTemplate } from './pod-template.ts';
import { tolerates } from './scheduling-algorithm.ts';
import type { DaemonSet } from './workload-types.ts';

/** util.AddOrUpdateDaemonPodTolerations: daemon pods survive not-ready/unreachable eviction and land on cordoned
 * or pressured nodes. */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

/** The template's tolerations plus the daemon ones it lacks (same key and effect = already there). */
function withDaemonTolerations(own: Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(own ?? [])];
  for (const t of daemonTolerations(hostNetwork)) {
    if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push(t);
  }
  return out;
}

export interface Eligibility { shouldRun: boolean; shouldContinueRunning: boolean }

export function nodeShouldRunDaemonPod(ds: DaemonSet, node: Node): Eligibility {
  const spec = ds.spec.template.spec;
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (!spec) return no;
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return no;
  const simulated = { metadata: {}, spec: { ...spec, tolerations: withDaemonTolerations(spec.tolerations as Toleration[], !!spec.hostNetwork) } } as unknown as Pod;
  if (!podMatchesNodeConstraints(simulated, node)) return no;
  const untolerated = (node.spec?.taints ?? []).filter((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(simulated.spec.tolerations, t));
  return { shouldRun: untolerated.length === 0, shouldContinueRunning: !untolerated.some((t) => t.effect === 'NoExecute') };
}

/** The node a daemon pod is for: its binding, or the node its affinity pins it to while unscheduled. */
export function targetNodeOf(pod: Pod): string | undefined {
  return pod.spec.nodeName || pinnedNodeName(pod);
}

/** The daemon pod for `nodeName` at revision `hash`. */
export function daemonPod(ds: DaemonSet, nodeName: string, hash: string, ref: OwnerReference): Pod {
  const pod = podFromTemplate(ds.spec.template, ds.metadata.namespace!, ds.metadata.name!, ref, { labels: { [CONTROLLER_REVISION_HASH]: hash } });
  pod.spec.tolerations = withDaemonTolerations(pod.spec.tolerations, !!pod.spec.hostNetwork);
  const affinity = { ...(pod.spec.affinity as object | undefined) };
  pod.spec.affinity = {
    ...affinity,
    nodeAffinity: {
      ...(affinity as { nodeAffinity?: object }).nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
      },
    },
  };
  return pod;
}

export const isUpdatedDaemonPod = (pod: Pod, hash: string) => pod.metadata.labels?.[CONTROLLER_REVISION_HASH] === hash;

/** Scheduled before unscheduled, then oldest first (k/k podByCreationTimestampAndPhase, as the status reads it). */
export function oldestFirst(pods: Pod[]): Pod[] {
  const created = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return [...pods].sort((a, b) => Number(!a.spec.nodeName) - Number(!b.spec.nodeName) || created(a) - created(b)
    || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}
