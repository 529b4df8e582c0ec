// The Endpoints controller (k/k pkg/controller/endpoint): one core/v1 Endpoints per Service with a selector, named
// like it. Ready pods are `addresses`; pods not ready yet are `notReadyAddresses`; terminating pods are left out
// (unless publishNotReadyAddresses), so a pod being deleted leaves the Endpoints at once. Addresses with the same
// resolved ports share a subset. A Service without a selector keeps whatever Endpoints a user (or the apiserver, for
// `kubernetes`) wrote; a deleted Service's Endpoints go with it.
import { isStatusError, isHeadless, type EndpointAddress, type EndpointSubset, type Endpoints, type Service } from '@podling/api';
import { podEndpoints, type PodEndpoint } from './endpoint-pods.ts';
import { splitKey } from './owner-references.ts';
import { ServiceEndpointController, type EndpointControllerOptions } from './service-endpoint-controller.ts';

const ref = (namespace: string) => ({ resource: 'endpoints', namespace });
const HEADLESS_LABEL = 'service.kubernetes.io/headless';

function address(e: PodEndpoint): EndpointAddress {
  const m = e.pod.metadata;
  return {
    ip: e.ip, ...(e.hostname ? { hostname: e.hostname } : {}), ...(e.pod.spec.nodeName ? { nodeName: e.pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: m.namespace, name: m.name, uid: m.uid },
  };
}

export function endpointSubsets(svc: Service, eps: PodEndpoint[]): EndpointSubset[] {
  const byPorts = new Map<string, EndpointSubset>();
  const wantsPorts = (svc.spec.ports?.length ?? 0) > 0;
  for (const e of eps) {
    if (wantsPorts && !e.ports.length) continue;
    if (e.terminating && !svc.spec.publishNotReadyAddresses) continue;
    let s = byPorts.get(e.portsKey);
    if (!s) { s = e.ports.length ? { ports: e.ports } : {}; byPorts.set(e.portsKey, s); }
    const list = e.ready ? (s.addresses ??= []) : (s.notReadyAddresses ??= []);
    list.push(address(e));
  }
  return [...byPorts.values()];
}

export class EndpointsController extends ServiceEndpointController<Endpoints> {
  constructor(opts: EndpointControllerOptions) {
    super(opts, 'endpoint-controller', 'endpoints', (ep) => ep.metadata.name);
  }

  protected async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const svc = this.services.get(namespace, name);
    const cur = this.written.get(namespace, name);
    if (!svc) {
      if (cur) await this.client.delete(ref(namespace), name).catch((e) => { if (!(isStatusError(e) && e.code === 404)) throw e; });
      return;
    }
    if (!svc.spec?.selector || !Object.keys(svc.spec.selector).length) return;
    const subsets = endpointSubsets(svc, podEndpoints(svc, this.podsOf(namespace)));
    const labels = { ...svc.metadata.labels, ...(isHeadless(svc) ? { [HEADLESS_LABEL]: '' } : {}) };
    const desired: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, ...(subsets.length ? { subsets } : {}) };
    if (!cur) {
      await this.client.create(ref(namespace), desired).catch((e) => { if (!(isStatusError(e) && e.code === 409)) throw e; });
      return;
    }
    if (JSON.stringify(cur.subsets ?? []) === JSON.stringify(subsets) && JSON.stringify(cur.metadata.labels ?? {}) === JSON.stringify(labels)) return;
    await this.client.update(ref(namespace), { ...desired, metadata: { ...cur.metadata, labels } });
  }
}
