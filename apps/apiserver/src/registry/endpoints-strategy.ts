// core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlice: plain objects written by the endpoint controllers (or a
// user, for a Service without a selector); no status, no allocation.
import {
  isDNS1123Subdomain, validateEndpointSlice, validateEndpointSliceUpdate, validateEndpoints, validateEndpointsUpdate,
  type EndpointSlice, type Endpoints,
} from '@podling/api';
import { endpointSlicePrinter, endpointsPrinter } from '../kubectl/service-tables.ts';
import { defineResource } from './resource.ts';

export const endpoints = defineResource<Endpoints>({
  group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', singular: 'endpoints', namespaced: true,
  shortNames: ['ep'],
  strategy: {
    nameValidator: isDNS1123Subdomain,
    tracksGeneration: false,
    returnsDeletedObject: false,
    prepareForCreate() {},
    validate: (ep) => validateEndpoints(ep),
    prepareForUpdate() {},
    validateUpdate: (ep, old) => validateEndpointsUpdate(ep, old),
  },
  printer: endpointsPrinter,
});

export const endpointSlices = defineResource<EndpointSlice>({
  group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', singular: 'endpointslice',
  namespaced: true,
  strategy: {
    nameValidator: isDNS1123Subdomain,
    // The slice's content is its "spec": consumers compare generations to see a new endpoint list.
    tracksGeneration: true,
    generationSource: (s) => [s.addressType, s.endpoints, s.ports],
    returnsDeletedObject: false,
    prepareForCreate() {},
    validate: (s) => validateEndpointSlice(s),
    prepareForUpdate() {},
    validateUpdate: (s, old) => validateEndpointSliceUpdate(s, old),
  },
  printer: endpointSlicePrinter,
});
