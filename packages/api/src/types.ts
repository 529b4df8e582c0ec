// Wire types of core/v1 as Podling serves them. Only the fields Podling reads or writes are typed;
// everything else a client sends is kept or pruned by the decoder (see decode.ts), never lost silently.

export interface OwnerReference {
  apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string; apiVersion?: string } };
}
export interface VolumeMount { name: string; mountPath: string; readOnly?: boolean; subPath?: string }
export interface ExecAction { command: string[] }
export interface HTTPHeader { name: string; value: string }
export interface HTTPGetAction { path?: string; port: number | string; host?: string; scheme?: 'HTTP' | 'HTTPS'; httpHeaders?: HTTPHeader[] }
export interface TCPSocketAction { port: number | string; host?: string }
export interface GRPCAction { port: number; service?: string }
export interface LifecycleHandler { exec?: ExecAction; sleep?: { seconds: number }; httpGet?: HTTPGetAction; tcpSocket?: TCPSocketAction }
export interface Probe {
  exec?: ExecAction; httpGet?: HTTPGetAction; tcpSocket?: TCPSocketAction; grpc?: GRPCAction;
  initialDelaySeconds?: number; periodSeconds?: number; timeoutSeconds?: number;
  successThreshold?: number; failureThreshold?: number; terminationGracePeriodSeconds?: number;
}
export interface ResourceRequirements { requests?: Record<string, string>; limits?: Record<string, string> }
export interface SecurityContext {
  privileged?: boolean; runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean;
  allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}
export interface ContainerPort { name?: string; containerPort: number; hostPort?: number; protocol?: string }

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  ports?: ContainerPort[];
  resources?: ResourceRequirements;
  volumeMounts?: VolumeMount[];
  lifecycle?: { postStart?: LifecycleHandler; preStop?: LifecycleHandler };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  restartPolicy?: 'Always';
  terminationMessagePath?: string;
  terminationMessagePolicy?: 'File' | 'FallbackToLogsOnError';
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  securityContext?: SecurityContext;
  stdin?: boolean;
  tty?: boolean;
}

export interface Volume { name: string; emptyDir?: { medium?: string; sizeLimit?: string }; [source: string]: unknown }

export interface Toleration {
  key?: string; operator?: 'Exists' | 'Equal'; value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'; tolerationSeconds?: number;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  dnsPolicy?: string;
  nodeSelector?: Record<string, string>;
  nodeName?: string;
  serviceAccountName?: string;
  hostNetwork?: boolean;
  hostname?: string;
  subdomain?: string;
  schedulerName?: string;
  tolerations?: Toleration[];
  securityContext?: { runAsUser?: number; runAsGroup?: number; fsGroup?: number; runAsNonRoot?: boolean };
  enableServiceLinks?: boolean;
  priority?: number;
  schedulingGates?: { name: string }[];
  [field: string]: unknown;
}

export interface PodCondition {
  type: string; status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string | null; lastTransitionTime?: string; reason?: string; message?: string;
}

export interface ContainerStateWaiting { reason?: string; message?: string }
export interface ContainerStateRunning { startedAt?: string }
export interface ContainerStateTerminated {
  exitCode: number; signal?: number; reason?: string; message?: string;
  startedAt?: string; finishedAt?: string; containerID?: string;
}
export interface ContainerState {
  waiting?: ContainerStateWaiting; running?: ContainerStateRunning; terminated?: ContainerStateTerminated;
}
export interface ContainerStatus {
  name: string; state: ContainerState; lastState: ContainerState; ready: boolean; started?: boolean;
  restartCount: number; image: string; imageID: string; containerID?: string;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
export interface PodStatus {
  phase?: PodPhase;
  conditions?: PodCondition[];
  message?: string;
  reason?: string;
  hostIP?: string;
  hostIPs?: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
  qosClass?: 'Guaranteed' | 'Burstable' | 'BestEffort';
  nominatedNodeName?: string;
  observedGeneration?: number;
}

export interface Pod extends KubeObject {
  apiVersion: 'v1'; kind: 'Pod'; spec: PodSpec; status?: PodStatus;
}

export interface Taint { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'; timeAdded?: string }
export interface NodeCondition {
  type: string; status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime?: string; lastTransitionTime?: string; reason?: string; message?: string;
}
export interface NodeAddress { type: 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS'; address: string }
export interface NodeSpec { unschedulable?: boolean; taints?: Taint[]; podCIDR?: string; podCIDRs?: string[]; providerID?: string }
export interface NodeStatus {
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  nodeInfo?: Record<string, string>;
}
export interface Node extends KubeObject { apiVersion: 'v1'; kind: 'Node'; spec?: NodeSpec; status?: NodeStatus }

/** What holds up a terminating namespace, as the namespace controller reports it. */
export interface NamespaceCondition { type: string; status: 'True' | 'False' | 'Unknown'; lastTransitionTime?: string; reason?: string; message?: string }
export interface Namespace extends KubeObject {
  apiVersion: 'v1'; kind: 'Namespace'; spec?: { finalizers?: string[] };
  status?: { phase?: 'Active' | 'Terminating'; conditions?: NamespaceCondition[] };
}

export interface ObjectReference {
  kind?: string; namespace?: string; name?: string; uid?: string; apiVersion?: string; resourceVersion?: string; fieldPath?: string;
}
export interface KubeEvent extends KubeObject {
  apiVersion: 'v1'; kind: 'Event';
  involvedObject: ObjectReference;
  reason?: string; message?: string; type?: 'Normal' | 'Warning';
  source?: { component?: string; host?: string };
  firstTimestamp?: string; lastTimestamp?: string; count?: number;
  reportingComponent?: string; reportingInstance?: string; eventTime?: string | null;
}

export interface Binding extends KubeObject { apiVersion: 'v1'; kind: 'Binding'; target: { kind?: string; name: string; apiVersion?: string } }

export interface DeleteOptions {
  kind?: 'DeleteOptions'; apiVersion?: string;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  dryRun?: string[];
}

export interface StatusCause { reason?: string; message?: string; field?: string }
export interface StatusDetails {
  name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number;
}
export interface Status {
  kind: 'Status'; apiVersion: 'v1'; metadata: Record<string, never> | { resourceVersion?: string };
  status: 'Failure' | 'Success'; message?: string; reason?: string; details?: StatusDetails; code: number;
}

export interface ListMeta { resourceVersion: string; continue?: string; remainingItemCount?: number }
export interface List<T> { kind: string; apiVersion: 'v1'; metadata: ListMeta; items: T[] }

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface WatchEvent<T = KubeObject> { type: WatchEventType; object: T | Status }
