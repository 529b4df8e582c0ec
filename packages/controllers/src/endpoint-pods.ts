// Which pods back a Service and how (k/k staging/src/k8s.io/endpointslice/utils.go, util/controller_utils.go), shared
// by the Endpoints and EndpointSlice controllers: a pod counts once it has an IP and is not finished; `serving` is its
// Ready condition, `terminating` its deletionTimestamp, and `ready` is serving and not terminating (always true with
// publishNotReadyAddresses), so a pod being deleted stops being a ready endpoint the moment the DELETE is stored.
// A named targetPort is looked up per pod, by name and protocol, among its containers' ports; a pod where it does
// not resolve gets no entry for that port.
import { labelsMatch, selectorFromMatchLabels, type Pod, type Service } from '@podling/api';

export interface ResolvedPort { name?: string; port: number; protocol: string; appProtocol?: string }

export interface PodEndpoint {
  pod: Pod;
  ip: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** spec.hostname, only when spec.subdomain names the Service (StatefulSet pods under their headless Service). */
  hostname?: string;
  ports: ResolvedPort[];
  /** The resolved ports as one string: endpoints with equal keys share a subset or a slice. */
  portsKey: string;
}

/** Whether the Service's selector picks `pod` (a Service without a selector picks none). */
export function selects(svc: Service, pod: Pod): boolean {
  const sel = svc.spec?.selector;
  if (!sel || !Object.keys(sel).length) return false;
  return pod.metadata.namespace === svc.metadata.namespace && labelsMatch(selectorFromMatchLabels(sel), pod.metadata.labels);
}

function resolveTargetPort(pod: Pod, target: number | string | undefined, port: number, protocol: string): number | undefined {
  if (typeof target === 'number') return target;
  if (target === undefined || target === '') return port;
  const containers = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

export function podEndpoints(svc: Service, pods: Pod[]): PodEndpoint[] {
  const out: PodEndpoint[] = [];
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    const phase = pod.status?.phase;
    if (!ip || phase === 'Succeeded' || phase === 'Failed' || !selects(svc, pod)) continue;
    const serving = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const terminating = !!pod.metadata.deletionTimestamp;
    const ports: ResolvedPort[] = [];
    for (const sp of svc.spec.ports ?? []) {
      const protocol = sp.protocol ?? 'TCP';
      const port = resolveTargetPort(pod, sp.targetPort, sp.port, protocol);
      if (port === undefined) continue;
      ports.push({ ...(sp.name !== undefined ? { name: sp.name } : {}), port, protocol, ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    const hostname = pod.spec.subdomain === svc.metadata.name && pod.spec.hostname ? pod.spec.hostname : undefined;
    out.push({
      pod, ip, serving, terminating, hostname, ports, portsKey: JSON.stringify(ports),
      ready: svc.spec.publishNotReadyAddresses === true || (serving && !terminating),
    });
  }
  return out.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}
