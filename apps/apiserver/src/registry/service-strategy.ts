// core/v1 Services (kubernetes pkg/registry/core/service/strategy.go and storage/alloc.go): users own spec, status is
// the status subresource's; ClusterIPs and NodePorts are allocated after validation passes, so an invalid Service
// takes nothing; an update keeps the allocated values a client left out (patchAllocatedValues) and drops the ones its
// new type does not use (dropTypeDependentFields). The ClusterIP never changes once set.
import {
  defaultService, isDNS1123Label, validateService, validateServiceUpdate, type Service, type ServicePort,
} from '@podling/api';
import { servicePrinter } from '../kubectl/service-tables.ts';
import { resetObjectMetaForStatus } from './object-meta.ts';
import { defineResource } from './resource.ts';
import type { ServiceAllocator } from './service-allocator.ts';
import type { RegistryContext, Strategy, UpdateStrategy } from './strategy.ts';

const usesNodePorts = (svc: Service) => svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer';
const selfKey = (svc: Service) => `${svc.metadata.namespace}/${svc.metadata.name}`;
const samePort = (a: ServicePort, b: ServicePort) => a.port === b.port && (a.protocol ?? 'TCP') === (b.protocol ?? 'TCP');

function allocator(ctx: RegistryContext): ServiceAllocator {
  if (!ctx.serviceAllocator) throw new Error('services need a ServiceAllocator in the registry context');
  return ctx.serviceAllocator;
}

/** Values the server allocated that an update body left out are kept; ones the new type has no use for go. */
function patchAllocatedValues(svc: Service, old: Service): void {
  const spec = svc.spec;
  const toOrFromExternalName = spec.type === 'ExternalName' || old.spec.type === 'ExternalName';
  if (!toOrFromExternalName && !spec.clusterIP && !spec.clusterIPs?.length && old.spec.clusterIP) {
    spec.clusterIP = old.spec.clusterIP;
    spec.clusterIPs = old.spec.clusterIPs;
    spec.ipFamilies ??= old.spec.ipFamilies;
    spec.ipFamilyPolicy ??= old.spec.ipFamilyPolicy;
  }
  if (spec.type === 'ExternalName' && spec.clusterIP === old.spec.clusterIP) {
    delete spec.clusterIP; delete spec.clusterIPs; delete spec.ipFamilies; delete spec.ipFamilyPolicy;
  }
  for (const p of spec.ports ?? []) {
    const before = (old.spec.ports ?? []).find((o) => samePort(o, p));
    if (usesNodePorts(svc) && usesNodePorts(old) && !p.nodePort && before?.nodePort) p.nodePort = before.nodePort;
    if (!usesNodePorts(svc) && p.nodePort && p.nodePort === before?.nodePort) delete p.nodePort;
  }
}

export const serviceStrategy: Strategy<Service> = {
  nameValidator: isDNS1123Label,
  tracksGeneration: false,
  returnsDeletedObject: true,
  prepareForCreate(svc) {
    svc.status = { loadBalancer: {} };
    defaultService(svc);
  },
  validate(svc, ctx) {
    const errs = validateService(svc);
    if (errs.length) return errs;
    // Allocation throws its own Invalid status when a requested value is taken or out of range.
    allocator(ctx).allocateClusterIP(svc);
    allocator(ctx).allocateNodePorts(svc);
    return [];
  },
  prepareForUpdate(svc, old) {
    svc.status = old.status;
    defaultService(svc);
    patchAllocatedValues(svc, old);
  },
  validateUpdate(svc, old, ctx) {
    const errs = validateServiceUpdate(svc, old);
    if (errs.length) return errs;
    if (!svc.spec.clusterIP) allocator(ctx).allocateClusterIP(svc, selfKey(svc));
    const held = new Set((old.spec.ports ?? []).map((p) => p.nodePort).filter((n): n is number => !!n));
    allocator(ctx).allocateNodePorts(svc, selfKey(svc), held);
    return [];
  },
};

const serviceStatusStrategy: UpdateStrategy<Service> = {
  prepareForUpdate(svc, old) {
    svc.spec = old.spec;
    resetObjectMetaForStatus(svc, old);
  },
  validateUpdate: () => [],
};

export const services = defineResource<Service>({
  group: '', version: 'v1', kind: 'Service', resource: 'services', singular: 'service', namespaced: true,
  shortNames: ['svc'], categories: ['all'],
  strategy: serviceStrategy,
  updateSubresources: { status: serviceStatusStrategy },
  printer: servicePrinter,
});
