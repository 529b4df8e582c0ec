// Discovery documents kubectl and client libraries read before anything else: /version (the gcloud kubectl
// dispatcher picks its kubectl binary by `minor`), legacy /api, /apis and the APIResourceLists. Served as plain
// application/json (legacy discovery); see kubectl-wire.md §3 for why aggregated discovery is not needed.
import os from 'node:os';

/** The Kubernetes minor we emulate; kubectl 1.27/1.28 would need OpenAPI v2, 1.29–1.33 behave the same. */
export const KUBE_MINOR = '32';

export interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  group?: string;
  version?: string;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

export function versionInfo(buildDate = '2025-01-01T00:00:00Z') {
  return {
    major: '1',
    minor: KUBE_MINOR,
    gitVersion: `v1.${KUBE_MINOR}.0-podling`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate,
    goVersion: `node${process.versions.node}`,
    compiler: 'tsx',
    platform: `${os.platform()}/${GO_ARCH[os.arch()] ?? os.arch()}`,
  };
}

/** GET /api. `serverAddress` (host:port) is advertised for every client CIDR when given. */
export function apiVersions(serverAddress?: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: serverAddress ? [{ clientCIDR: '0.0.0.0/0', serverAddress }] : [],
  };
}

/**
 * GET /apis. `servedGroups` are "group/version" (or bare "group", meaning v1), e.g. ["coordination.k8s.io/v1"].
 * It must never 404: kubectl treats that as fatal for every command.
 */
export function apiGroupList(servedGroups: string[] = []) {
  const byGroup = new Map<string, string[]>();
  for (const gv of servedGroups) {
    const [group, version = 'v1'] = gv.split('/');
    byGroup.set(group, [...(byGroup.get(group) ?? []), version]);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...byGroup].map(([name, versions]) => ({
      name,
      versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const sub = (name: string, kind: string, verbs: string[]): ApiResource => ({ name, singularName: '', namespaced: true, kind, verbs });

export const CORE_V1_RESOURCES: ApiResource[] = [
  { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ALL_VERBS, shortNames: ['ev'] },
  { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ns'] },
  { ...sub('namespaces/status', 'Namespace', ['get', 'patch', 'update']), namespaced: false },
  { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ALL_VERBS, shortNames: ['no'] },
  { ...sub('nodes/status', 'Node', ['get', 'patch', 'update']), namespaced: false },
  { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ALL_VERBS, shortNames: ['po'], categories: ['all'] },
  sub('pods/binding', 'Binding', ['create']),
  sub('pods/exec', 'PodExecOptions', ['create', 'get']),
  sub('pods/log', 'Pod', ['get']),
  sub('pods/status', 'Pod', ['get', 'patch', 'update']),
];

export const COORDINATION_V1_RESOURCES: ApiResource[] = [
  { name: 'leases', singularName: 'lease', namespaced: true, kind: 'Lease', verbs: ALL_VERBS },
];

/** GET /api/v1 (or /apis/<group>/<version> with `groupVersion`): the built-in core resources plus `extra`. */
export function apiResourceList(extra: ApiResource[] = [], groupVersion = 'v1') {
  const base = groupVersion === 'v1' ? CORE_V1_RESOURCES : groupVersion === 'coordination.k8s.io/v1' ? COORDINATION_V1_RESOURCES : [];
  const byName = new Map(base.map((r) => [r.name, r]));
  for (const r of extra) byName.set(r.name, r);
  const resources = [...byName.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ group: _g, version: _v, ...r }) => r);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}
