// Printers of Service, Endpoints and EndpointSlice as kubernetes pkg/printers/internalversion/printers.go renders
// them (printService, printEndpoints, printEndpointSlice with formatEndpoints/formatDiscoveryPorts/Endpoints).
import type { EndpointSlice, Endpoints, KubeObject, Service } from '@podling/api';
import { timestampSince } from './human-duration.ts';
import { ageColumn, column, nameColumn, type TablePrinter } from './table-types.ts';

/** printers.go shows at most three items, then ` + N more...`. */
const MAX_SHOWN = 3;

function shortList(items: string[], empty: string): string {
  if (!items.length) return empty;
  const shown = items.slice(0, MAX_SHOWN).join(',');
  return items.length > MAX_SHOWN ? `${shown} + ${items.length - MAX_SHOWN} more...` : shown;
}

function externalIP(svc: Service): string {
  const ext = svc.spec.externalIPs ?? [];
  switch (svc.spec.type) {
    case 'LoadBalancer': {
      const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
      const all = [...ingress, ...ext];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName': return svc.spec.externalName ?? '';
    default: return ext.length ? ext.join(',') : '<none>';
  }
}

function ports(svc: Service): string {
  const ps = svc.spec.ports ?? [];
  if (!ps.length) return '<none>';
  return ps.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function selector(svc: Service): string {
  const s = svc.spec.selector ?? {};
  const keys = Object.keys(s).sort();
  return keys.length ? keys.map((k) => `${k}=${s[k]}`).join(',') : '<none>';
}

export const servicePrinter: TablePrinter = {
  columns: [
    nameColumn(), column('Type', 'The type of the service.'), column('Cluster-IP', 'The IP address of the service.'),
    column('External-IP', 'The external IP address of the service.'), column('Port(s)', 'The ports that the service exposes.'),
    ageColumn(), column('Selector', 'The label selector of the service.', { priority: 1 }),
  ],
  row(obj: KubeObject, now: number) {
    const svc = obj as Service;
    const clusterIP = svc.spec?.type === 'ExternalName' ? '<none>' : svc.spec?.clusterIP || '<none>';
    return { cells: [svc.metadata.name ?? '', svc.spec?.type ?? '', clusterIP, externalIP(svc), ports(svc), timestampSince(svc.metadata.creationTimestamp, now), selector(svc)] };
  },
};

export const endpointsPrinter: TablePrinter = {
  columns: [nameColumn(), column('Endpoints', 'Endpoints of the service.'), ageColumn()],
  row(obj: KubeObject, now: number) {
    const ep = obj as Endpoints;
    const list: string[] = [];
    for (const s of ep.subsets ?? []) {
      const ps = s.ports?.length ? s.ports : [undefined];
      for (const p of ps) for (const a of s.addresses ?? []) list.push(p ? `${a.ip}:${p.port}` : a.ip);
    }
    return { cells: [ep.metadata.name ?? '', shortList(list, '<none>'), timestampSince(ep.metadata.creationTimestamp, now)] };
  },
};

export const endpointSlicePrinter: TablePrinter = {
  columns: [
    nameColumn(), column('AddressType', 'The IP protocol for this slice.'), column('Ports', 'The ports of the endpoints.'),
    column('Endpoints', 'The endpoints of the slice.'), ageColumn(),
  ],
  row(obj: KubeObject, now: number) {
    const s = obj as EndpointSlice;
    const portList = (s.ports ?? []).map((p) => (p.port === undefined ? '<unset>' : String(p.port)));
    const addrs = (s.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return { cells: [s.metadata.name ?? '', s.addressType ?? '', shortList(portList, '<unset>'), shortList(addrs, '<unset>'), timestampSince(s.metadata.creationTimestamp, now)] };
  },
};
