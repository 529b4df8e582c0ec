// What a pod asks of a node and what a node offers, in integer units the scheduler compares: millicores and bytes.
// Mirrors k/k pkg/api/v1/resource (PodRequests) and the scheduler's NodeInfo: requests are taken as already
// defaulted (the apiserver copies limits into missing requests).
import { parseQuantity, type Container, type Node, type Pod } from '@podling/api';

export interface Resources { milliCpu: number; memory: number }

/** What the scheduler uses for scoring when a container requests nothing (k/k pkg/scheduler/util/pod_resources.go),
 * so pods without requests still spread instead of piling onto one node. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const ZERO: Resources = { milliCpu: 0, memory: 0 };

/** cpu cores → millicores, rounded up as resource.Quantity.MilliValue() does. */
function milliCpu(q: string | undefined): number | undefined {
  if (q === undefined) return undefined;
  return Math.ceil(parseQuantity(q) * 1000 - 1e-9);
}

function bytes(q: string | undefined): number | undefined {
  if (q === undefined) return undefined;
  return Math.ceil(parseQuantity(q) - 1e-9);
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const r = c.resources?.requests ?? {};
  const cpu = milliCpu(r.cpu);
  const mem = bytes(r.memory);
  return {
    milliCpu: cpu ?? (nonZero ? DEFAULT_MILLI_CPU_REQUEST : 0),
    memory: mem ?? (nonZero ? DEFAULT_MEMORY_REQUEST : 0),
  };
}

const add = (a: Resources, b: Resources): Resources => ({ milliCpu: a.milliCpu + b.milliCpu, memory: a.memory + b.memory });
const max = (a: Resources, b: Resources): Resources =>
  ({ milliCpu: Math.max(a.milliCpu, b.milliCpu), memory: Math.max(a.memory, b.memory) });

/**
 * The pod's effective request: max(sum of regular containers, each init container's request) per resource, where
 * sidecars (init containers with restartPolicy Always) keep running and so add to both sides, plus spec.overhead.
 * `nonZero` substitutes the scheduler's scoring defaults for missing requests.
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  // Informer objects are replaced, never mutated, so a pod object's requests can be computed once.
  const cache = nonZero ? nonZeroCache : exactCache;
  let r = cache.get(pod);
  if (!r) { r = computePodRequests(pod, nonZero); cache.set(pod, r); }
  return r;
}

const exactCache = new WeakMap<Pod, Resources>();
const nonZeroCache = new WeakMap<Pod, Resources>();

function computePodRequests(pod: Pod, nonZero: boolean): Resources {
  let regular = ZERO;
  for (const c of pod.spec.containers ?? []) regular = add(regular, containerRequests(c, nonZero));
  let sidecars = ZERO;
  let initPeak = ZERO;
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      sidecars = add(sidecars, r);
      initPeak = max(initPeak, sidecars);
    } else {
      initPeak = max(initPeak, add(sidecars, r));
    }
  }
  let total = max(add(regular, sidecars), initPeak);
  const overhead = pod.spec.overhead as Record<string, string> | undefined;
  if (overhead) total = add(total, { milliCpu: milliCpu(overhead.cpu) ?? 0, memory: bytes(overhead.memory) ?? 0 });
  return total;
}

export interface Allocatable extends Resources { pods: number }

/** status.allocatable (what the scheduler may hand out); a missing entry offers nothing. */
export function nodeAllocatable(node: Node): Allocatable {
  // Like podRequests: informer objects are replaced, never mutated, so each Node object is parsed once.
  let r = allocatableCache.get(node);
  if (!r) { r = computeAllocatable(node); allocatableCache.set(node, r); }
  return r;
}

const allocatableCache = new WeakMap<Node, Allocatable>();

function computeAllocatable(node: Node): Allocatable {
  const a = node.status?.allocatable ?? {};
  return {
    milliCpu: milliCpu(a.cpu) ?? 0,
    memory: bytes(a.memory) ?? 0,
    pods: a.pods === undefined ? 0 : Math.floor(parseQuantity(a.pods)),
  };
}
