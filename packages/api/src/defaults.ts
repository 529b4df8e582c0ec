// v1 defaulting (k/k pkg/apis/core/v1/defaults.go) for the kinds Podling stores, plus the QoS class
// (pkg/apis/core/helper/qos/qos.go). Defaulting mutates in place and never overrides a value the client set.
import { parseQuantity } from './quantity.ts';
import type { Container, HTTPGetAction, Node, NodeSpec, Pod, PodSpec, Probe } from './types.ts';

export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

/** `Always` for `:latest` or an untagged image without a digest, otherwise `IfNotPresent`. */
export function defaultImagePullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  if (!image) return 'Always';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return lastSegment.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Go defaulting replaces zero values, so an explicit 0 gets the default too (SetDefaults_Probe). */
function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHandler(p);
}

function defaultHandler(h: { httpGet?: HTTPGetAction } | undefined): void {
  const get = h?.httpGet;
  if (get && typeof get === 'object') {
    if (!get.path) get.path = '/';
    if (!get.scheme) get.scheme = 'HTTP';
  }
}

function defaultContainer(c: Container): void {
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.imagePullPolicy ??= defaultImagePullPolicy(c.image);
  for (const port of c.ports ?? []) port.protocol ??= 'TCP';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
  // SetDefaults_Pod: a limit without a request makes the request equal to the limit.
  const limits = c.resources?.limits;
  if (limits && Object.keys(limits).length) {
    c.resources!.requests ??= {};
    for (const [k, v] of Object.entries(limits)) c.resources!.requests[k] ??= v;
  }
}

const VOLUME_META_KEYS = new Set(['name']);

export function defaultPod(pod: Pod): void {
  pod.apiVersion ??= 'v1';
  pod.kind ??= 'Pod';
  defaultPodSpec((pod.spec ??= { containers: [] }));
}

/** SetDefaults_PodSpec and its containers: for pods and for every pod template of a workload. */
export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of (spec.ephemeralContainers as Container[] | undefined) ?? []) {
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.imagePullPolicy ??= defaultImagePullPolicy(c.image);
  }
  for (const v of spec.volumes ?? []) {
    if (!Object.keys(v).some((k) => !VOLUME_META_KEYS.has(k))) v.emptyDir = {};
  }
}

const QOS_RESOURCES = ['cpu', 'memory'];

function amount(q: string | undefined): number {
  if (q === undefined) return 0;
  try { return parseQuantity(q); } catch { return 0; }
}

/** Guaranteed: every container limits cpu and memory with requests == limits; BestEffort: nothing set at all. */
export function computeQosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    for (const r of QOS_RESOURCES) {
      const limit = amount(limits[r]);
      const request = requests[r] === undefined ? limit : amount(requests[r]);
      if (request > 0 || limit > 0) anySet = true;
      if (limit <= 0 || request !== limit) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function defaultNode(node: Node): void {
  node.apiVersion ??= 'v1';
  node.kind ??= 'Node';
  syncPodCIDRs(node.spec ??= {});
  const status = (node.status ??= {});
  // SetDefaults_NodeStatus: allocatable defaults to capacity.
  if (status.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
}

/**
 * spec.podCIDR is the first entry of spec.podCIDRs (k/k pkg/apis/core/v1/conversion.go Convert_v1_NodeSpec_To_core_NodeSpec
 * and back): a client that sets only podCIDR gets the list, and the list wins when both are sent. Applied on every
 * write of a Node, so the stored pair never disagrees.
 */
export function syncPodCIDRs(spec: NodeSpec): void {
  if (!spec.podCIDRs?.length && spec.podCIDR) spec.podCIDRs = [spec.podCIDR];
  if (spec.podCIDRs?.length) spec.podCIDR = spec.podCIDRs[0];
  else { delete spec.podCIDR; delete spec.podCIDRs; }
}
