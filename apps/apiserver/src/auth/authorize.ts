// Who may do what. A fixed policy instead of RBAC objects, shaped like the union of Kubernetes' authorizers that a
// small cluster needs:
//
//   - group system:masters may do everything (the cluster-admin binding);
//   - everyone, even anonymous, may GET the discovery and health paths (/version, /healthz, /api, /openapi/v3, ...);
//   - a node (user system:node:<name> in group system:nodes) gets what a kubelet needs and no more, like the Node
//     authorizer plus the NodeRestriction admission plugin: it reads pods, nodes, namespaces and events; writes
//     events; registers and updates its own Node; writes the status of, and deletes, only pods bound to it; and
//     keeps its own Lease in kube-node-lease;
//   - any other authenticated user may read (get, list, watch) and nothing else;
//   - the anonymous user of a server with a token file may do nothing beyond the open paths.
//
// What is not in this file: a node creating a Node or Lease is allowed here, because a POST carries its name in
// the body, not the URL; `requiredCreateName` tells the caller which name that body must have.
import { StatusError } from '@podling/api';
import type { RequestInfo } from './request-info.ts';
import { groups, nodeNameOf, type UserInfo } from './user-info.ts';

export type Decision = { allowed: true } | { allowed: false; reason: string };

export interface AuthorizeContext {
  /** The node a pod is bound to (spec.nodeName), or undefined when the pod does not exist or is unbound. */
  podNodeName?: (namespace: string, name: string) => string | undefined;
}

const allow: Decision = { allowed: true };
const deny = (reason = ''): Decision => ({ allowed: false, reason });

const readVerbs = new Set(['get', 'list', 'watch']);
const nodeReadable = new Set(['pods', 'nodes', 'namespaces', 'events']);
const nodeLeaseNamespace = 'kube-node-lease';
const leaseGroup = 'coordination.k8s.io';

export function authorize(user: UserInfo, info: RequestInfo, ctx: AuthorizeContext = {}): Decision {
  if (user.groups.includes(groups.masters)) return allow;
  if (!info.isResourceRequest) return isOpenPath(info.path) && (info.verb === 'get' || info.verb === 'head') ? allow : deny();
  if (user.groups.includes(groups.unauthenticated)) return deny();
  const node = nodeNameOf(user);
  if (node !== undefined) return authorizeNode(node, info, ctx);
  return readVerbs.has(info.verb) ? allow : deny();
}

/** Discovery and health endpoints, which clients call before they know who they are talking to. */
export function isOpenPath(path: string): boolean {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (['/api', '/apis', '/version', '/healthz', '/livez', '/readyz'].includes(p)) return true;
  // Under /api and /apis only discovery is a non-resource path (requestInfo made the rest resource requests).
  return /^\/(api|apis|openapi|healthz|livez|readyz)\//.test(p);
}

function authorizeNode(node: string, info: RequestInfo, ctx: AuthorizeContext): Decision {
  const { verb, apiGroup, resource, subresource, name, namespace } = info;
  if (apiGroup === leaseGroup && resource === 'leases') return authorizeNodeLease(node, info);
  if (apiGroup !== '') return deny();

  if (readVerbs.has(verb) && nodeReadable.has(resource) && (subresource === '' || subresource === 'status')) return allow;
  if (resource === 'events' && subresource === '' && (verb === 'create' || verb === 'update' || verb === 'patch')) return allow;

  if (resource === 'nodes') {
    if (verb === 'create' && subresource === '') return allow;
    if ((verb === 'update' || verb === 'patch') && (subresource === '' || subresource === 'status')) {
      return name === node ? allow : deny(`node "${node}" can only modify its own Node object`);
    }
    return deny();
  }

  if (resource === 'pods') {
    const writesStatus = (verb === 'update' || verb === 'patch') && subresource === 'status';
    const deletes = verb === 'delete' && subresource === '';
    if (!writesStatus && !deletes) return deny();
    const boundTo = ctx.podNodeName?.(namespace, name);
    if (boundTo !== node) return deny(`node "${node}" can only ${deletes ? 'delete' : 'update the status of'} pods bound to it`);
    return allow;
  }
  return deny();
}

function authorizeNodeLease(node: string, info: RequestInfo): Decision {
  const { verb, subresource, name, namespace } = info;
  if (namespace !== nodeLeaseNamespace || subresource !== '') {
    return deny(`node "${node}" can only access leases in the "${nodeLeaseNamespace}" namespace`);
  }
  if (!['get', 'create', 'update', 'patch', 'delete'].includes(verb)) return deny();
  if (verb !== 'create' && name !== node) return deny(`node "${node}" can only access its own lease`);
  return allow;
}

/**
 * The `metadata.name` a create request's body must carry, where authorization allowed the create only on that
 * condition (a node creating its own Node or Lease); undefined when any name is fine.
 */
export function requiredCreateName(user: UserInfo, info: RequestInfo): string | undefined {
  if (user.groups.includes(groups.masters) || info.verb !== 'create' || info.subresource !== '') return undefined;
  const node = nodeNameOf(user);
  if (node === undefined) return undefined;
  const isNode = info.apiGroup === '' && info.resource === 'nodes';
  const isLease = info.apiGroup === leaseGroup && info.resource === 'leases';
  return isNode || isLease ? node : undefined;
}

/**
 * Kubernetes' wording (pkg/endpoints/handlers/responsewriters/errors.go), e.g.
 * `User "bob" cannot delete resource "pods/status" in API group "" in the namespace "default"`.
 */
export function forbiddenMessage(user: UserInfo, info: RequestInfo): string {
  const who = `User ${JSON.stringify(user.name)}`;
  if (!info.isResourceRequest) return `${who} cannot ${info.verb} path ${JSON.stringify(info.path)}`;
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const what = `${who} cannot ${info.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(info.apiGroup)}`;
  return info.namespace ? `${what} in the namespace ${JSON.stringify(info.namespace)}` : `${what} at the cluster scope`;
}

/**
 * The 403 Status for a denied request, as apimachinery's NewForbidden builds it: `pods "x" is forbidden: ...`,
 * `pods is forbidden: ...` for collections, `deployments.apps ...` for named groups, `forbidden: ...` for paths.
 */
export function forbiddenError(user: UserInfo, info: RequestInfo, reason = ''): StatusError {
  const detail = reason ? `${forbiddenMessage(user, info)}: ${reason}` : forbiddenMessage(user, info);
  if (!info.isResourceRequest) return new StatusError(403, 'Forbidden', `forbidden: ${detail}`, {});
  const qualified = info.apiGroup ? `${info.resource}.${info.apiGroup}` : info.resource;
  const subject = info.name ? `${qualified} ${JSON.stringify(info.name)}` : qualified;
  return new StatusError(403, 'Forbidden', `${subject} is forbidden: ${detail}`, {
    ...(info.name ? { name: info.name } : {}), ...(info.apiGroup ? { group: info.apiGroup } : {}), kind: info.resource,
  });
}
