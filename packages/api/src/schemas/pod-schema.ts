// core/v1 Pod: every PodSpec / PodStatus field Kubernetes defines is known (so real manifests are neither rejected
// nor pruned); the ones Podling does not act on are open objects.
import { container, ephemeralContainer } from './container-schema.ts';
import { objectMeta } from './meta-schema.ts';
import {
  bool, int, list, open, openFields, openList, quantityMap, str, strList, strMap, struct, typeMeta, time } from './schema-builders.ts';

const VOLUME_SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile',
  'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume',
  'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];
const volume = struct('Volume', {
  name: str, emptyDir: struct('EmptyDirVolumeSource', { medium: str, sizeLimit: { type: ['number', 'string', 'null'] } }),
  ...openFields(VOLUME_SOURCES),
});

const toleration = struct('Toleration', { key: str, operator: str, value: str, effect: str, tolerationSeconds: int });

const podSecurityContext = struct('PodSecurityContext', {
  runAsUser: int, runAsGroup: int, runAsNonRoot: bool, supplementalGroups: list(int), supplementalGroupsPolicy: str,
  fsGroup: int, fsGroupChangePolicy: str, sysctls: openList, seLinuxChangePolicy: str,
  ...openFields(['seLinuxOptions', 'windowsOptions', 'seccompProfile', 'appArmorProfile']),
});

export const podSpec = struct('PodSpec', {
  volumes: list(volume), initContainers: list(container), containers: list(container),
  ephemeralContainers: list(ephemeralContainer),
  restartPolicy: str, terminationGracePeriodSeconds: int, activeDeadlineSeconds: int, dnsPolicy: str,
  nodeSelector: strMap, serviceAccountName: str, serviceAccount: str, automountServiceAccountToken: bool,
  nodeName: str, hostNetwork: bool, hostPID: bool, hostIPC: bool, shareProcessNamespace: bool,
  securityContext: podSecurityContext, imagePullSecrets: list(struct('LocalObjectReference', { name: str })),
  hostname: str, subdomain: str, schedulerName: str, tolerations: list(toleration),
  hostAliases: list(struct('HostAlias', { ip: str, hostnames: strList })),
  priorityClassName: str, priority: int, readinessGates: list(struct('PodReadinessGate', { conditionType: str })),
  runtimeClassName: str, enableServiceLinks: bool, preemptionPolicy: str, overhead: quantityMap,
  topologySpreadConstraints: openList, setHostnameAsFQDN: bool, hostUsers: bool,
  schedulingGates: list(struct('PodSchedulingGate', { name: str })), resourceClaims: openList,
  resources: struct('ResourceRequirements', { limits: quantityMap, requests: quantityMap, claims: openList }),
  hostnameOverride: str,
  ...openFields(['affinity', 'dnsConfig', 'os']),
});

const containerState = struct('ContainerState', {
  waiting: struct('ContainerStateWaiting', { reason: str, message: str }),
  running: struct('ContainerStateRunning', { startedAt: time }),
  terminated: struct('ContainerStateTerminated', {
    exitCode: int, signal: int, reason: str, message: str, startedAt: time, finishedAt: time, containerID: str,
  }),
});

const containerStatus = struct('ContainerStatus', {
  name: str, state: containerState, lastState: containerState, ready: bool, restartCount: int, image: str,
  imageID: str, containerID: str, started: bool, allocatedResources: quantityMap, resources: open,
  volumeMounts: openList, user: open, allocatedResourcesStatus: openList, stopSignal: str,
});

const podIP = struct('PodIP', { ip: str });
export const podStatus = struct('PodStatus', {
  observedGeneration: int, phase: str,
  conditions: list(struct('PodCondition', {
    type: str, observedGeneration: int, status: str, lastProbeTime: time, lastTransitionTime: time, reason: str, message: str,
  })),
  message: str, reason: str, nominatedNodeName: str, hostIP: str, hostIPs: list(struct('HostIP', { ip: str })),
  podIP: str, podIPs: list(podIP), startTime: time,
  initContainerStatuses: list(containerStatus), containerStatuses: list(containerStatus),
  ephemeralContainerStatuses: list(containerStatus), qosClass: str, resize: str,
  resourceClaimStatuses: openList, extendedResourceClaimStatus: open,
});

export const podSchema = struct('Pod', { ...typeMeta, metadata: objectMeta, spec: podSpec, status: podStatus });
