// The EndpointSlice controller (k/k pkg/controller/endpointslice, staging/src/k8s.io/endpointslice/reconciler.go):
// discovery.k8s.io/v1 EndpointSlices for every Service with a selector, owned by the Service and labelled with its
// name and this controller as manager. Endpoints with the same resolved ports share slices of at most 100; each
// endpoint carries ready/serving/terminating, so a terminating pod stays listed as `ready: false, terminating:
// true` (serving while its readiness holds) until its pod object is gone. A Service without endpoints keeps one
// empty placeholder slice. Slices are reused by their port list; unchanged slices are not written.
import {
  isHeadless, isStatusError, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, type EndpointSlice, type Service, type SliceEndpoint,
} from '@podling/api';
import { podEndpoints, type PodEndpoint, type ResolvedPort } from './endpoint-pods.ts';
import { newControllerRef, splitKey } from './owner-references.ts';
import { ServiceEndpointController, type EndpointControllerOptions } from './service-endpoint-controller.ts';

export const ENDPOINTSLICE_MANAGER = 'endpointslice-controller.k8s.io';
/** --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;
const ref = (namespace: string) => ({ resource: 'endpointslices', namespace });

function sliceEndpoint(e: PodEndpoint): SliceEndpoint {
  const m = e.pod.metadata;
  return {
    addresses: [e.ip],
    conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
    ...(e.hostname ? { hostname: e.hostname } : {}),
    targetRef: { kind: 'Pod', namespace: m.namespace, name: m.name, uid: m.uid },
    ...(e.pod.spec.nodeName ? { nodeName: e.pod.spec.nodeName } : {}),
  };
}

/** The slices' contents: [ports, endpoints] per slice. */
export function desiredSlices(svc: Service, eps: PodEndpoint[]): [ResolvedPort[], SliceEndpoint[]][] {
  const wantsPorts = (svc.spec.ports?.length ?? 0) > 0;
  const groups = new Map<string, [ResolvedPort[], SliceEndpoint[]]>();
  for (const e of eps) {
    if (wantsPorts && !e.ports.length) continue;
    const g = groups.get(e.portsKey) ?? [e.ports, []];
    groups.set(e.portsKey, g);
    g[1].push(sliceEndpoint(e));
  }
  const out: [ResolvedPort[], SliceEndpoint[]][] = [];
  for (const [ports, list] of groups.values()) {
    for (let i = 0; i < list.length; i += MAX_ENDPOINTS_PER_SLICE) out.push([ports, list.slice(i, i + MAX_ENDPOINTS_PER_SLICE)]);
  }
  return out.length ? out : [[[], []]];
}

const ignore404 = (e: unknown) => { if (!(isStatusError(e) && e.code === 404)) throw e; };

export class EndpointSliceController extends ServiceEndpointController<EndpointSlice> {
  constructor(opts: EndpointControllerOptions) {
    super(opts, 'endpointslice-controller', 'endpointslices',
      (s) => (s.metadata.labels?.[MANAGED_BY_LABEL] === ENDPOINTSLICE_MANAGER ? s.metadata.labels?.[SERVICE_NAME_LABEL] : undefined));
  }

  protected async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const svc = this.services.get(namespace, name);
    const mine = this.written.listIn(namespace).filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name && s.metadata.labels?.[MANAGED_BY_LABEL] === ENDPOINTSLICE_MANAGER);
    if (!svc) {
      for (const s of mine) await this.client.delete(ref(namespace), s.metadata.name!).catch(ignore404);
      return;
    }
    // Services without a selector get no slices from this controller, and keep those their writer made — the
    // apiserver's own for `kubernetes` and `kube-dns` carry this controller's managed-by value, as in Kubernetes
    // (k/k pkg/controller/endpointslice syncService returns early; deleting them here left those Services without).
    if (!svc.spec?.selector || !Object.keys(svc.spec.selector).length) return;
    const labels: Record<string, string> = {
      ...svc.metadata.labels, [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: ENDPOINTSLICE_MANAGER,
      ...(isHeadless(svc) ? { 'service.kubernetes.io/headless': '' } : {}),
    };
    const owner = newControllerRef(svc, { apiVersion: 'v1', kind: 'Service' });
    const unused = [...mine];
    for (const [ports, endpoints] of desiredSlices(svc, podEndpoints(svc, this.podsOf(namespace)))) {
      const i = unused.findIndex((s) => JSON.stringify(s.ports ?? []) === JSON.stringify(ports));
      const cur = i >= 0 ? unused.splice(i, 1)[0] : undefined;
      const body: EndpointSlice = {
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', endpoints, ports,
        metadata: cur ? { ...cur.metadata, labels } : { generateName: `${name}-`, namespace, labels, ownerReferences: [owner] },
      };
      if (!cur) { await this.client.create(ref(namespace), body); continue; }
      const same = JSON.stringify([cur.endpoints ?? [], cur.metadata.labels ?? {}]) === JSON.stringify([endpoints, labels]);
      if (!same) await this.client.update(ref(namespace), body);
    }
    for (const s of unused) await this.client.delete(ref(namespace), s.metadata.name!).catch(ignore404);
  }
}
