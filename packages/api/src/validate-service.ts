// core/v1 Service validation (k/k pkg/apis/core/validation/validation.go ValidateService, ValidateServiceUpdate).
// What depends on the cluster (is the IP in the range, is the port free) is the allocator's to judge.
import { field, type FieldError } from './field-errors.ts';
import { isDNS1123Label, isValidPortName, isValidPortNum } from './names.ts';
import type { Service } from './service-types.ts';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './validate-meta.ts';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const AFFINITIES = ['ClientIP', 'None'];
const POLICIES = ['Cluster', 'Local'];
const MAX_AFFINITY_SECONDS = 86400;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

export function validateService(svc: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, nameValidator: isDNS1123Label });
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  if (!TYPES.includes(type)) errs.push(field.notSupported('spec.type', type, TYPES));
  const headless = spec.clusterIP === 'None';
  const ports = spec.ports ?? [];
  if (type === 'ExternalName') {
    if (!spec.externalName) errs.push(field.required('spec.externalName'));
  } else if (!ports.length && !headless) {
    errs.push(field.required('spec.ports'));
  }
  if (headless && (type === 'NodePort' || type === 'LoadBalancer')) {
    errs.push(field.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  }
  if (spec.clusterIP && spec.clusterIP !== 'None' && !isIPv4(spec.clusterIP)) {
    errs.push(field.invalid('spec.clusterIPs[0]', spec.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  if ((spec.clusterIPs?.length ?? 0) > 1) errs.push(field.invalid('spec.clusterIPs', spec.clusterIPs, 'may only hold up to 1 values (this cluster is single-stack IPv4)'));
  if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIPs[0] !== spec.clusterIP) {
    errs.push(field.invalid('spec.clusterIPs', spec.clusterIPs, 'must match first value of spec.clusterIPs'));
  }
  errs.push(...validatePorts(svc, type));
  const affinity = spec.sessionAffinity ?? 'None';
  if (!AFFINITIES.includes(affinity)) errs.push(field.notSupported('spec.sessionAffinity', affinity, AFFINITIES));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (affinity === 'ClientIP' && timeout !== undefined && (timeout <= 0 || timeout > MAX_AFFINITY_SECONDS)) {
    errs.push(field.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`));
  }
  if (affinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(field.invalid('spec.sessionAffinityConfig', spec.sessionAffinityConfig, "must not be set when session affinity is None"));
  }
  for (const [k, path] of [['externalTrafficPolicy', 'spec.externalTrafficPolicy'], ['internalTrafficPolicy', 'spec.internalTrafficPolicy']] as const) {
    const v = spec[k];
    if (v !== undefined && !POLICIES.includes(v)) errs.push(field.notSupported(path, v, POLICIES));
  }
  if (spec.externalTrafficPolicy && type !== 'NodePort' && type !== 'LoadBalancer') {
    errs.push(field.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  }
  if (spec.selector) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  return errs;
}

function validatePorts(svc: Service, type: string): FieldError[] {
  const errs: FieldError[] = [];
  const ports = svc.spec?.ports ?? [];
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errs.push(field.required(`${path}.name`));
    if (p.name) {
      for (const m of isDNS1123Label(p.name)) errs.push(field.invalid(`${path}.name`, p.name, m));
      if (names.has(p.name)) errs.push(field.duplicate(`${path}.name`, p.name));
      names.add(p.name);
    }
    for (const m of isValidPortNum(p.port)) errs.push(field.invalid(`${path}.port`, p.port, m));
    const protocol = p.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol)) errs.push(field.notSupported(`${path}.protocol`, protocol, PROTOCOLS));
    const key = `${p.port}/${protocol}`;
    if (seen.has(key)) errs.push(field.duplicate(path, { port: p.port, protocol }));
    seen.add(key);
    const tp = p.targetPort;
    if (typeof tp === 'number') for (const m of isValidPortNum(tp)) errs.push(field.invalid(`${path}.targetPort`, tp, m));
    if (typeof tp === 'string') for (const m of isValidPortName(tp)) errs.push(field.invalid(`${path}.targetPort`, tp, m));
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (type === 'ClusterIP' || type === 'ExternalName') {
        errs.push(field.forbidden(`${path}.nodePort`, `may not be used when \`type\` is '${type}'`));
      } else {
        for (const m of isValidPortNum(p.nodePort)) errs.push(field.invalid(`${path}.nodePort`, p.nodePort, m));
      }
    }
  });
  return errs;
}

/** An update may not move a Service to another virtual IP (ClusterIP ⇄ ExternalName aside). */
export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs = [...validateObjectMetaUpdate(svc.metadata, old.metadata), ...validateService(svc)];
  const crossesExternalName = svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName';
  const before = old.spec?.clusterIPs?.[0] ?? old.spec?.clusterIP ?? '';
  const after = svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP ?? '';
  if (!crossesExternalName && before && after !== before) {
    errs.push(field.invalid('spec.clusterIPs[0]', after || [], after ? 'field is immutable' : 'primary clusterIP can not be unset'));
  }
  return errs;
}
