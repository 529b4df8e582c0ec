// Node, Namespace, Event, Binding, DeleteOptions and coordination.k8s.io/v1 Lease.
import { objectMeta, objectReference } from './meta-schema.ts';
import {
  bool, int, list, open, openList, quantityMap, str, strList, struct, typeMeta, time } from './schema-builders.ts';

const taint = struct('Taint', { key: str, value: str, effect: str, timeAdded: time });

export const nodeSchema = struct('Node', {
  ...typeMeta, metadata: objectMeta,
  spec: struct('NodeSpec', {
    podCIDR: str, podCIDRs: strList, providerID: str, unschedulable: bool, taints: list(taint), configSource: open, externalID: str,
  }),
  status: struct('NodeStatus', {
    capacity: quantityMap, allocatable: quantityMap, phase: str,
    conditions: list(struct('NodeCondition', {
      type: str, status: str, lastHeartbeatTime: time, lastTransitionTime: time, reason: str, message: str,
    })),
    addresses: list(struct('NodeAddress', { type: str, address: str })),
    daemonEndpoints: struct('NodeDaemonEndpoints', { kubeletEndpoint: struct('DaemonEndpoint', { Port: int }) }),
    nodeInfo: struct('NodeSystemInfo', {
      machineID: str, systemUUID: str, bootID: str, kernelVersion: str, osImage: str, containerRuntimeVersion: str,
      kubeletVersion: str, kubeProxyVersion: str, operatingSystem: str, architecture: str, swap: open,
    }),
    images: list(struct('ContainerImage', { names: strList, sizeBytes: int })),
    volumesInUse: strList, volumesAttached: openList, config: open, runtimeHandlers: openList, features: open,
  }),
});

export const namespaceSchema = struct('Namespace', {
  ...typeMeta, metadata: objectMeta,
  spec: struct('NamespaceSpec', { finalizers: strList }),
  status: struct('NamespaceStatus', { phase: str, conditions: openList }),
});

export const eventSchema = struct('Event', {
  ...typeMeta, metadata: objectMeta,
  involvedObject: objectReference, reason: str, message: str,
  source: struct('EventSource', { component: str, host: str }),
  firstTimestamp: time, lastTimestamp: time, count: int, type: str, eventTime: time,
  series: struct('EventSeries', { count: int, lastObservedTime: str }),
  action: str, related: objectReference, reportingComponent: str, reportingInstance: str,
});

export const bindingSchema = struct('Binding', { ...typeMeta, metadata: objectMeta, target: objectReference });

export const deleteOptionsSchema = struct('DeleteOptions', {
  ...typeMeta, gracePeriodSeconds: int,
  preconditions: struct('Preconditions', { uid: str, resourceVersion: str }),
  orphanDependents: bool, propagationPolicy: str, dryRun: strList,
  ignoreStoreReadErrorWithClusterBreakingPotential: bool,
});

export const leaseSchema = struct('Lease', {
  ...typeMeta, metadata: objectMeta,
  spec: struct('LeaseSpec', {
    holderIdentity: str, leaseDurationSeconds: int, acquireTime: time, renewTime: time, leaseTransitions: int,
    strategy: str, preferredHolder: str,
  }),
});

/** autoscaling/v1 Scale, the body of every …/scale subresource. */
export const scaleSchema = struct('Scale', {
  ...typeMeta, metadata: objectMeta,
  spec: struct('ScaleSpec', { replicas: int }),
  status: struct('ScaleStatus', { replicas: int, selector: str }),
});
