// Who a request is from, as authentication found it. Names and groups follow Kubernetes so kubeconfigs, tokens and
// error messages read the same as against a real cluster.

export interface UserInfo {
  name: string;
  uid: string;
  groups: string[];
}

export const groups = {
  /** Everything is allowed to members (the cluster-admin binding of real clusters). */
  masters: 'system:masters',
  /** Kubelets: users named `system:node:<nodeName>`. */
  nodes: 'system:nodes',
  /** Added to every user a token authenticated. */
  authenticated: 'system:authenticated',
  /** The group of the anonymous user. */
  unauthenticated: 'system:unauthenticated',
} as const;

const nodeUserPrefix = 'system:node:';

/** A request that presented no credentials, on a server that accepts that. */
export const anonymousUser: UserInfo = { name: 'system:anonymous', uid: '', groups: [groups.unauthenticated] };

/** The dev default on loopback without a token file: anyone is anonymous and may do everything. */
export const anonymousAdmin: UserInfo = { name: 'system:anonymous', uid: '', groups: [groups.masters, groups.unauthenticated] };

/** The node a user acts for: only a `system:node:<name>` user in group `system:nodes` is one. */
export function nodeNameOf(user: Pick<UserInfo, 'name' | 'groups'>): string | undefined {
  if (!user.groups.includes(groups.nodes) || !user.name.startsWith(nodeUserPrefix)) return undefined;
  const name = user.name.slice(nodeUserPrefix.length);
  return name === '' ? undefined : name;
}

export function nodeUserName(nodeName: string): string {
  return nodeUserPrefix + nodeName;
}
