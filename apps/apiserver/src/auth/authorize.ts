// Who may do what. A fixed policy instead of RBAC objects, shaped like the union of Kubernetes' authorizers that a
// small cluster needs:
//
//   - group system:masters may do everything (the cluster-admin binding);
//   - everyone, even anonymous, may GET the discovery and health paths (/version, /healthz, /api, /openapi/v3, ...)
//     and the dashboard's static files (/ui/);
//   - a node (user system:node:<name> in group system:nodes) gets the verbs a kubelet needs, like the Node
//     authorizer: it reads pods, nodes, namespaces, events, services, endpoints and endpointslices (the Service
//     environment variables, DNS and the node proxy); writes events; registers and updates its own Node;
//     writes pod status and deletes pods; and keeps its own Lease in kube-node-lease;
//   - any other authenticated user may read (get, list, watch) and nothing else;
//   - the anonymous user of a server with a token file may do nothing beyond the open paths.
//
// Only the URL is known here. Which pods a node may touch (those bound to it), which Node and Lease name it may
// create, and which fields of its Node it may change depend on the objects: the NodeRestriction admission plugin
// (node-restriction.ts) decides those inside the write pipeline, after the object was read, so a write to a pod
// that does not exist is a 404 as for anyone else.
import { StatusError } from '@podling/api';
import type { RequestInfo } from './request-info.ts';
import { groups, nodeNameOf, type UserInfo } from './user-info.ts';

export type Decision = { allowed: true } | { allowed: false; reason: string };

const allow: Decision = { allowed: true };
const deny = (reason = ''): Decision => ({ allowed: false, reason });

const readVerbs = new Set(['get', 'list', 'watch']);
const nodeReadable = new Set(['pods', 'nodes', 'namespaces', 'events', 'services', 'endpoints']);
const nodeLeaseNamespace = 'kube-node-lease';
const leaseGroup = 'coordination.k8s.io';

export function authorize(user: UserInfo, info: RequestInfo): Decision {
  if (user.groups.includes(groups.masters)) return allow;
  if (!info.isResourceRequest) return isOpenPath(info.path) && (info.verb === 'get' || info.verb === 'head') ? allow : deny();
  if (user.groups.includes(groups.unauthenticated)) return deny();
  const node = nodeNameOf(user);
  if (node !== undefined) return authorizeNode(node, info);
  return readVerbs.has(info.verb) ? allow : deny();
}

/** Discovery and health endpoints, which clients call before they know who they are talking to. */
export function isOpenPath(path: string): boolean {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (['/api', '/apis', '/version', '/healthz', '/livez', '/readyz', '/ui'].includes(p)) return true;
  // Under /api and /apis only discovery is a non-resource path (requestInfo made the rest resource requests).
  return /^\/(api|apis|openapi|healthz|livez|readyz|ui)\//.test(p);
}

function authorizeNode(node: string, info: RequestInfo): Decision {
  const { verb, apiGroup, resource, subresource } = info;
  if (apiGroup === leaseGroup && resource === 'leases') return authorizeNodeLease(node, info);
  if (apiGroup === 'discovery.k8s.io' && resource === 'endpointslices' && readVerbs.has(verb) && subresource === '') return allow;
  if (apiGroup !== '') return deny();

  if (readVerbs.has(verb) && nodeReadable.has(resource) && (subresource === '' || subresource === 'status')) return allow;
  if (resource === 'events' && subresource === '' && (verb === 'create' || verb === 'update' || verb === 'patch')) return allow;

  if (resource === 'nodes') {
    if (verb === 'create' && subresource === '') return allow;
    return (verb === 'update' || verb === 'patch') && (subresource === '' || subresource === 'status') ? allow : deny();
  }

  if (resource === 'pods') {
    const writesStatus = (verb === 'update' || verb === 'patch') && subresource === 'status';
    const deletes = verb === 'delete' && subresource === '';
    return writesStatus || deletes ? allow : deny();
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
