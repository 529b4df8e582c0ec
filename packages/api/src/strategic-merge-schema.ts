// Patch strategies of the lists of the served kinds (the `patchStrategy`/`patchMergeKey` struct tags of k8s.io/api
// core/v1, apps/v1 and batch/v1 types.go); a workload's pod template has the Pod's. A list not named here is replaced
// whole, like Node spec.taints and Pod spec.tolerations. Paths use `*` for "any element of the list".

export type ListStrategy = { mergeKey: string } | { set: true };

const CONTAINER_LISTS: Record<string, ListStrategy> = {
  env: { mergeKey: 'name' },
  volumeMounts: { mergeKey: 'mountPath' },
  volumeDevices: { mergeKey: 'devicePath' },
  ports: { mergeKey: 'containerPort' },
};

function containerLists(list: string): Record<string, ListStrategy> {
  const out: Record<string, ListStrategy> = { [`spec.${list}`]: { mergeKey: 'name' } };
  for (const [k, v] of Object.entries(CONTAINER_LISTS)) out[`spec.${list}.*.${k}`] = v;
  return out;
}

const METADATA: Record<string, ListStrategy> = {
  'metadata.finalizers': { set: true },
  'metadata.ownerReferences': { mergeKey: 'uid' },
};

const POD_SPEC: Record<string, ListStrategy> = {
  ...containerLists('containers'),
  ...containerLists('initContainers'),
  ...containerLists('ephemeralContainers'),
  'spec.volumes': { mergeKey: 'name' },
  'spec.imagePullSecrets': { mergeKey: 'name' },
  'spec.hostAliases': { mergeKey: 'ip' },
  'spec.topologySpreadConstraints': { mergeKey: 'topologyKey' },
};

/** A workload's pod template at `prefix` (e.g. "spec.template."): the Pod's spec lists and template metadata. */
function template(prefix: string): Record<string, ListStrategy> {
  const out: Record<string, ListStrategy> = { [`${prefix}metadata.finalizers`]: { set: true }, [`${prefix}metadata.ownerReferences`]: { mergeKey: 'uid' } };
  for (const [k, v] of Object.entries(POD_SPEC)) out[prefix + k] = v;
  return out;
}

const CONDITIONS: Record<string, ListStrategy> = { 'status.conditions': { mergeKey: 'type' } };
const WORKLOAD = { ...template('spec.template.'), ...CONDITIONS };

const BY_KIND: Record<string, Record<string, ListStrategy>> = {
  Deployment: WORKLOAD,
  ReplicaSet: WORKLOAD,
  StatefulSet: WORKLOAD,
  DaemonSet: WORKLOAD,
  ReplicationController: WORKLOAD,
  Job: WORKLOAD,
  CronJob: { ...template('spec.jobTemplate.spec.template.'), 'status.active': { mergeKey: 'uid' } },
  Pod: {
    ...POD_SPEC,
    'status.conditions': { mergeKey: 'type' },
    'status.containerStatuses': { mergeKey: 'name' },
    'status.initContainerStatuses': { mergeKey: 'name' },
    'status.ephemeralContainerStatuses': { mergeKey: 'name' },
    'status.podIPs': { mergeKey: 'ip' },
    'status.hostIPs': { mergeKey: 'ip' },
  },
  Node: {
    'spec.podCIDRs': { set: true },
    'status.conditions': { mergeKey: 'type' },
    'status.addresses': { mergeKey: 'type' },
  },
  Namespace: {
    'status.conditions': { mergeKey: 'type' },
  },
  // core/v1 ServiceSpec.Ports: patchMergeKey "port".
  Service: { 'spec.ports': { mergeKey: 'port' } },
};

export function listStrategy(kind: string, path: string): ListStrategy | undefined {
  const own = (table: Record<string, ListStrategy> | undefined) => (table && Object.hasOwn(table, path) ? table[path] : undefined);
  return own(METADATA) ?? own(Object.hasOwn(BY_KIND, kind) ? BY_KIND[kind] : undefined);
}
