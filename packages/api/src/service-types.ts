// Wire types of core/v1 Service and Endpoints and discovery.k8s.io/v1 EndpointSlice: the fields Podling reads or
// writes (k8s.io/api core/v1 types.go, discovery/v1 types.go).
import type { KubeObject } from './types.ts';

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
  /** A number or a container port's name; defaults to `port`. */
  targetPort?: number | string;
  nodePort?: number;
}

export interface ServiceSpec {
  type?: ServiceType;
  selector?: Record<string, string>;
  ports?: ServicePort[];
  clusterIP?: string;
  clusterIPs?: string[];
  externalName?: string;
  sessionAffinity?: 'None' | 'ClientIP';
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  externalTrafficPolicy?: string;
  internalTrafficPolicy?: string;
  publishNotReadyAddresses?: boolean;
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  externalIPs?: string[];
  [key: string]: unknown;
}

export interface Service extends KubeObject {
  spec: ServiceSpec;
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] }; conditions?: unknown[] };
}

export interface ObjectReferenceLite { kind?: string; namespace?: string; name?: string; uid?: string; resourceVersion?: string }

export interface EndpointAddress { ip: string; hostname?: string; nodeName?: string; targetRef?: ObjectReferenceLite }
export interface EndpointPort { name?: string; port: number; protocol?: string; appProtocol?: string }
export interface EndpointSubset { addresses?: EndpointAddress[]; notReadyAddresses?: EndpointAddress[]; ports?: EndpointPort[] }

export interface Endpoints extends KubeObject { subsets?: EndpointSubset[] }

export interface EndpointConditions { ready?: boolean; serving?: boolean; terminating?: boolean }

export interface SliceEndpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef?: ObjectReferenceLite;
}

export interface EndpointSlice extends KubeObject {
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: SliceEndpoint[];
  ports?: { name?: string; port?: number; protocol?: string; appProtocol?: string }[];
}

/** Label naming the Service an EndpointSlice belongs to (discovery/v1 LabelServiceName). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Label naming the writer of an EndpointSlice (discovery/v1 LabelManagedBy). */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';

/** Whether a Service has no virtual IP (spec.clusterIP "None"). */
export function isHeadless(svc: Service): boolean {
  return svc.spec.clusterIP === 'None';
}
