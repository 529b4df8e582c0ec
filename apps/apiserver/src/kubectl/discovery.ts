// Discovery documents kubectl and client libraries read before anything else: /version (the gcloud kubectl
// dispatcher picks its kubectl binary by `minor`), legacy /api, /apis and the APIResourceLists. Served as plain
// application/json (legacy discovery); see kubectl-wire.md §3 for why aggregated discovery is not needed.
import os from 'node:os';
import type { Resource } from '../registry/resource.ts';

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

const UPDATE_VERBS = ['get', 'patch', 'update'];

/** The APIResource entries of one declared resource: the resource, then its subresources. */
export function discoveryEntries(r: Resource): ApiResource[] {
  const base = { namespaced: r.namespaced, kind: r.kind };
  const main: ApiResource = { name: r.resource, singularName: r.singular, ...base, verbs: r.verbs };
  if (r.shortNames.length) main.shortNames = r.shortNames;
  if (r.categories.length) main.categories = r.categories;
  const subs: ApiResource[] = [];
  for (const [name, u] of Object.entries(r.updateSubresources ?? {})) subs.push({ name: `${r.resource}/${name}`, singularName: '', ...base, verbs: u.verbs ?? UPDATE_VERBS });
  // client-go's scale client finds the Scale kind only through this entry (client-go scale/util.go).
  if (r.scale) subs.push({ name: `${r.resource}/scale`, singularName: '', namespaced: r.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: UPDATE_VERBS });
  for (const [name, c] of Object.entries(r.connect ?? {})) subs.push({ name: `${r.resource}/${name}`, singularName: '', namespaced: r.namespaced, kind: c.kind, verbs: c.verbs });
  return [main, ...subs];
}

/**
 * GET /api/v1 or /apis/<group>/<version>: the APIResourceList of the given resources (all of one group version),
 * sorted by name as kube-apiserver sorts them; kubectl expands categories such as `all` in this order.
 */
export function apiResourceList(resources: Resource[], groupVersion = 'v1') {
  const entries = resources.flatMap(discoveryEntries).sort((a, b) => a.name.localeCompare(b.name));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: entries };
}
