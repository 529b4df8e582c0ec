// core/v1 Service and Endpoints, discovery.k8s.io/v1 EndpointSlice.
import { objectMeta } from './meta-schema.ts';
import { bool, int, intOrStr, list, open, openList, str, strList, strMap, struct, typeMeta } from './schema-builders.ts';

const servicePort = struct('ServicePort', {
  name: str, protocol: str, appProtocol: str, port: int, targetPort: intOrStr, nodePort: int,
});

export const serviceSchema = struct('Service', {
  ...typeMeta, metadata: objectMeta,
  spec: struct('ServiceSpec', {
    type: str, selector: strMap, ports: list(servicePort), clusterIP: str, clusterIPs: strList, externalName: str,
    externalIPs: strList, loadBalancerIP: str, loadBalancerSourceRanges: strList, loadBalancerClass: str,
    sessionAffinity: str,
    sessionAffinityConfig: struct('SessionAffinityConfig', { clientIP: struct('ClientIPConfig', { timeoutSeconds: int }) }),
    externalTrafficPolicy: str, internalTrafficPolicy: str, healthCheckNodePort: int, publishNotReadyAddresses: bool,
    ipFamilies: strList, ipFamilyPolicy: str, allocateLoadBalancerNodePorts: bool, trafficDistribution: str,
  }),
  status: struct('ServiceStatus', { loadBalancer: open, conditions: openList }),
});

const objectRef = struct('ObjectReference', {
  kind: str, namespace: str, name: str, uid: str, apiVersion: str, resourceVersion: str, fieldPath: str,
});
const endpointAddress = struct('EndpointAddress', { ip: str, hostname: str, nodeName: str, targetRef: objectRef });
const endpointPort = struct('EndpointPort', { name: str, port: int, protocol: str, appProtocol: str });

export const endpointsSchema = struct('Endpoints', {
  ...typeMeta, metadata: objectMeta,
  subsets: list(struct('EndpointSubset', {
    addresses: list(endpointAddress), notReadyAddresses: list(endpointAddress), ports: list(endpointPort),
  })),
});

export const endpointSliceSchema = struct('EndpointSlice', {
  ...typeMeta, metadata: objectMeta, addressType: str,
  endpoints: list(struct('Endpoint', {
    addresses: strList,
    conditions: struct('EndpointConditions', { ready: bool, serving: bool, terminating: bool }),
    hostname: str, targetRef: objectRef, deprecatedTopology: strMap, nodeName: str, zone: str, hints: open,
  })),
  ports: list(endpointPort),
});
