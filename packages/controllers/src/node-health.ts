// The node lifecycle controller's decisions as pure functions of (node, pod, now, what we observed).
//
// Health is judged by our own clock, like kube's nodeHealthMap: we remember the Ready condition's
// lastHeartbeatTime and the node Lease's renewTime as values, and the local time we first saw either change
// (`probeAt`). A node is stale when neither has changed for the grace period, so clock skew between machines
// cannot make a node look alive or dead. A node that never posted anything counts from when we first saw it.
import { rfc3339 } from '@podling/api';
import type { Node, NodeCondition, Pod, Taint, Toleration } from '@podling/api';
import { tolerates } from './scheduling-algorithm.ts';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';

/** The conditions a kubelet reports; each is set to Unknown when it goes silent (k/k nodelifecycle). */
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export interface Observation {
  /** The Ready condition's lastHeartbeatTime as last seen ('' = the node never posted one). */
  heartbeat: string;
  /** The node Lease's spec.renewTime as last seen ('' = no Lease). */
  leaseRenewTime: string;
  /** Local time (ms) at which we first saw `heartbeat`. */
  probeAt: number;
}

const readyOf = (node: Node) => node.status?.conditions?.find((c) => c.type === 'Ready');

/** Updates what we know about a node: a new heartbeat or lease renewal restarts the clock; the same values keep it. */
export function observe(prev: Observation | undefined, node: Node, now: number, leaseRenewTime = ''): Observation {
  const heartbeat = readyOf(node)?.lastHeartbeatTime ?? '';
  if (prev && prev.heartbeat === heartbeat && prev.leaseRenewTime === leaseRenewTime) return prev;
  return { heartbeat, leaseRenewTime, probeAt: now };
}

export function isStale(obs: Observation, now: number, gracePeriodMs: number): boolean {
  return now - obs.probeAt > gracePeriodMs;
}

const secondsIso = (ms: number) => rfc3339(ms);

/**
 * The conditions of a node whose kubelet went silent: every kubelet condition Unknown, with
 * NodeStatusUnknown ("stopped posting") where it had been reported and NodeStatusNeverUpdated where it never was.
 * Heartbeat times are kept, so our own write does not look like a heartbeat. Returns undefined if already so.
 */
export function unknownConditions(node: Node, now: number): NodeCondition[] | undefined {
  const current = node.status?.conditions ?? [];
  const at = secondsIso(now);
  let changed = false;
  const next = current.map((c) => {
    if (!KUBELET_CONDITIONS.includes(c.type) || c.status === 'Unknown') return c;
    changed = true;
    return { ...c, status: 'Unknown' as const, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: at };
  });
  for (const type of KUBELET_CONDITIONS) {
    if (current.some((c) => c.type === type)) continue;
    changed = true;
    next.push({
      type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
      lastHeartbeatTime: node.metadata.creationTimestamp ?? at, lastTransitionTime: at,
    });
  }
  return changed ? next : undefined;
}

/** The node's zone for disruption accounting (k/k nodelifecycle utilnode.GetZoneKey): its zone label, or one zone. */
export const zoneOf = (node: Node) => node.metadata.labels?.['topology.kubernetes.io/zone'] ?? '';

/**
 * Zones in full disruption: no node Ready and at least one not (k/k nodelifecycle ComputeZoneState). The
 * controller then assumes it, not the nodes, lost connectivity (a restarted control plane, a cut uplink) and
 * neither adds NoExecute taints nor evicts there.
 */
export function fullyDisruptedZones(nodes: Node[]): Set<string> {
  const ready = new Map<string, number>();
  const notReady = new Map<string, number>();
  for (const n of nodes) {
    const m = readyOf(n)?.status === 'True' ? ready : notReady;
    m.set(zoneOf(n), (m.get(zoneOf(n)) ?? 0) + 1);
  }
  return new Set([...notReady.keys()].filter((z) => !ready.get(z)));
}

/**
 * The node's taints with the unreachable / not-ready pair matching its Ready status (Unknown → unreachable,
 * False → not-ready, True → neither); `evictable` false (its zone is fully disrupted) leaves out the NoExecute one
 * (k/k markNodeAsReachable). Existing matching taints keep their timeAdded. Undefined if nothing changes.
 */
export function reconcileTaints(node: Node, now: number, evictable = true): Taint[] | undefined {
  const status = readyOf(node)?.status ?? 'Unknown';
  const want = status === 'Unknown' ? TAINT_UNREACHABLE : status === 'False' ? TAINT_NOT_READY : undefined;
  const effects = evictable ? ['NoSchedule', 'NoExecute'] as const : ['NoSchedule'] as const;
  const current = node.spec?.taints ?? [];
  const isOurs = (t: Taint) => (t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY) && (t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  const kept = current.filter((t) => !isOurs(t) || (t.key === want && (effects as readonly string[]).includes(t.effect)));
  const next = [...kept];
  if (want) {
    for (const effect of effects) {
      if (!kept.some((t) => t.key === want && t.effect === effect)) next.push({ key: want, effect, timeAdded: secondsIso(now) });
    }
  }
  return next.length === current.length && next.every((t, i) => t === current[i]) ? undefined : next;
}

/** A pod whose node is not Ready is itself not Ready (MarkPodsNotReady). Undefined if it already says so. */
export function notReadyPodConditions(pod: Pod, now: number) {
  const conditions = pod.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'False') return undefined;
  return conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' as const, lastTransitionTime: secondsIso(now) } : c));
}

/**
 * When the taint-eviction controller deletes `pod` because of the node's NoExecute taints: the earliest
 * (taint timeAdded + tolerationSeconds) over the taints, `now` for an untolerated taint, `Infinity` when every
 * taint is tolerated forever. A pod with no toleration for not-ready/unreachable is treated as if it had the
 * DefaultTolerationSeconds admission plugin's toleration, with `defaultTolerationMs` (--pod-eviction-timeout).
 */
export function evictionTime(pod: Pod, node: Node, now: number, defaultTolerationMs: number): number {
  let at = Infinity;
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoExecute') continue;
    const since = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    const matching = (pod.spec.tolerations ?? []).filter((t) => tolerates([t], taint));
    let tolerateMs: number;
    if (matching.length) tolerateMs = minTolerationMs(matching);
    else if (taint.key === TAINT_UNREACHABLE || taint.key === TAINT_NOT_READY) tolerateMs = defaultTolerationMs;
    else return now;
    at = Math.min(at, since + tolerateMs);
  }
  return at;
}

/** k/k getMinTolerationTime: the smallest tolerationSeconds (≤0 means at once); none set = forever. */
function minTolerationMs(tolerations: Toleration[]): number {
  const secs = tolerations.map((t) => t.tolerationSeconds).filter((s): s is number => s !== undefined);
  if (!secs.length) return Infinity;
  return Math.max(0, Math.min(...secs)) * 1000;
}
