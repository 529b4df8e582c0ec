// core/v1 Service and Endpoints and discovery.k8s.io/v1 EndpointSlice, as protobuf messages: field numbers from the
// `protobuf:"…"` struct tags of k8s.io/api core/v1/types.go and discovery/v1/types.go (whose EndpointPort is named
// DiscoveryEndpointPort here, as core/v1 has its own). Notation: message-table.ts.
import type { MessageTable } from './message-table.ts';

export const SERVICE_MESSAGES: MessageTable = {
  ClientIPConfig: 'timeoutSeconds=1:i?',
  Condition: 'type=1 status=2 observedGeneration=3:i lastTransitionTime=4:Time reason=5 message=6',
  DiscoveryEndpointPort: 'name=1? protocol=2? port=3:i? appProtocol=4?',
  Endpoint: 'addresses=1[] conditions=2:EndpointConditions hostname=3? targetRef=4:ObjectReference deprecatedTopology=5:{} nodeName=6? zone=7? hints=8:EndpointHints',
  EndpointAddress: 'ip=1 hostname=3 nodeName=4? targetRef=2:ObjectReference',
  EndpointConditions: 'ready=1:b? serving=2:b? terminating=3:b?',
  EndpointHints: 'forZones=1:ForZone[] forNodes=2:ForNode[]',
  EndpointPort: 'name=1 port=2:i protocol=3 appProtocol=4?',
  EndpointSlice: 'metadata=1:ObjectMeta addressType=4 endpoints=2:Endpoint[] ports=3:DiscoveryEndpointPort[]',
  EndpointSubset: 'addresses=1:EndpointAddress[] notReadyAddresses=2:EndpointAddress[] ports=3:EndpointPort[]',
  Endpoints: 'metadata=1:ObjectMeta subsets=2:EndpointSubset[]',
  ForNode: 'name=1',
  ForZone: 'name=1',
  LoadBalancerIngress: 'ip=1 hostname=2 ipMode=3? ports=4:PortStatus[]',
  LoadBalancerStatus: 'ingress=1:LoadBalancerIngress[]',
  PortStatus: 'port=1:i protocol=2 error=3?',
  Service: 'metadata=1:ObjectMeta spec=2:ServiceSpec status=3:ServiceStatus',
  ServicePort: 'name=1 protocol=2 appProtocol=6? port=3:i targetPort=4:IntOrString nodePort=5:i',
  ServiceSpec: 'ports=1:ServicePort[] selector=2:{} clusterIP=3 clusterIPs=18[] type=4 externalIPs=5[] sessionAffinity=7 loadBalancerIP=8 loadBalancerSourceRanges=9[] externalName=10 externalTrafficPolicy=11 healthCheckNodePort=12:i publishNotReadyAddresses=13:b sessionAffinityConfig=14:SessionAffinityConfig ipFamilies=19[] ipFamilyPolicy=17? allocateLoadBalancerNodePorts=20:b? loadBalancerClass=21? internalTrafficPolicy=22? trafficDistribution=23?',
  ServiceStatus: 'loadBalancer=1:LoadBalancerStatus conditions=2:Condition[]',
  SessionAffinityConfig: 'clientIP=1:ClientIPConfig',
};
