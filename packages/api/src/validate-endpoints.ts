// core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlice validation (k/k pkg/apis/core/validation ValidateEndpoints,
// pkg/apis/discovery/validation ValidateEndpointSlice): addresses are IPs of the slice's family, ports are valid,
// and the sizes stay within Kubernetes' limits.
import { field, type FieldError } from './field-errors.ts';
import { isDNS1123Subdomain, isValidPortName, isValidPortNum } from './names.ts';
import type { EndpointPort, EndpointSlice, Endpoints } from './service-types.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './validate-meta.ts';
import { isIPv4 } from './validate-service.ts';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_SLICE_ENDPOINTS = 1000;
const MAX_SLICE_PORTS = 100;

function validatePort(p: EndpointPort, path: string, requirePort: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (p.name) for (const m of isValidPortName(p.name)) errs.push(field.invalid(`${path}.name`, p.name, m));
  if (requirePort || p.port !== undefined) for (const m of isValidPortNum(p.port)) errs.push(field.invalid(`${path}.port`, p.port, m));
  if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) errs.push(field.notSupported(`${path}.protocol`, p.protocol, PROTOCOLS));
  return errs;
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, { namespaced: true, nameValidator: isDNS1123Subdomain });
  (ep.subsets ?? []).forEach((s, i) => {
    const path = `subsets[${i}]`;
    for (const [list, name] of [[s.addresses, 'addresses'], [s.notReadyAddresses, 'notReadyAddresses']] as const) {
      (list ?? []).forEach((a, j) => {
        if (!isIPv4(a.ip ?? '')) errs.push(field.invalid(`${path}.${name}[${j}].ip`, a.ip ?? '', 'must be a valid IP address'));
      });
    }
    (s.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, `${path}.ports[${j}]`, true)));
  });
  return errs;
}

export function validateEndpointsUpdate(ep: Endpoints, old: Endpoints): FieldError[] {
  return [...validateObjectMetaUpdate(ep.metadata, old.metadata), ...validateEndpoints(ep)];
}

export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errs = validateObjectMeta(slice.metadata, { namespaced: true, nameValidator: isDNS1123Subdomain });
  if (!slice.addressType) errs.push(field.required('addressType'));
  else if (!ADDRESS_TYPES.includes(slice.addressType)) errs.push(field.notSupported('addressType', slice.addressType, ADDRESS_TYPES));
  const endpoints = slice.endpoints ?? [];
  if (endpoints.length > MAX_SLICE_ENDPOINTS) errs.push(field.tooMany('endpoints', endpoints.length, MAX_SLICE_ENDPOINTS));
  endpoints.forEach((e, i) => {
    const path = `endpoints[${i}].addresses`;
    const addrs = e.addresses ?? [];
    if (addrs.length !== 1) errs.push(field.invalid(path, addrs, 'must contain exactly one address'));
    addrs.forEach((a, j) => {
      if (slice.addressType === 'IPv4' && !isIPv4(a)) errs.push(field.invalid(`${path}[${j}]`, a, 'must be a valid IPv4 address'));
    });
  });
  const ports = slice.ports ?? [];
  if (ports.length > MAX_SLICE_PORTS) errs.push(field.tooMany('ports', ports.length, MAX_SLICE_PORTS));
  ports.forEach((p, i) => errs.push(...validatePort(p as EndpointPort, `ports[${i}]`, false)));
  return errs;
}

export function validateEndpointSliceUpdate(slice: EndpointSlice, old: EndpointSlice): FieldError[] {
  const errs = [...validateObjectMetaUpdate(slice.metadata, old.metadata), ...validateEndpointSlice(slice)];
  if (slice.addressType !== old.addressType) errs.push(field.invalid('addressType', slice.addressType, 'field is immutable'));
  return errs;
}
