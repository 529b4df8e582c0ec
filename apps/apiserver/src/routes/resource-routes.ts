// The REST surface of every served resource, derived from the declarations in registry/resources.ts: collection and
// item URLs, update subresources (status, finalize), scale, connect subresources and legacy watch paths. Handlers only
// parse the request and shape the response; the generic store does the work.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { errors, successStatus } from '@podling/api';
import { groupVersions, resourceAt } from '../registry/resources.ts';
import type { Registry } from '../registry/registry.ts';
import { updateSubresource, type Resource } from '../registry/resource.ts';
import { patchKind } from '../http/body-parsers.ts';
import { notFoundPath } from '../http/to-status-error.ts';
import { isWatch, parseDeleteOptions, parseFilter, parseListParams, parseWriteParams, type Query } from '../http/query.ts';
import { sendJsonText, sendList, sendObject, tableRequested } from '../http/respond.ts';
import type { StoredObject } from '@podling/store';
import type { ConnectHandler } from './connect-handlers.ts';
import { serveScale } from './scale-route.ts';
import { serveHttpWatch, serveWsWatch, type WatchDeps } from './watch-route.ts';
import { awaitRevision } from '../http/await-revision.ts';

export interface ResourceRouteDeps extends WatchDeps {
  registry: Registry;
  /** Subresources served outside the generic store, keyed "<plural>/<subresource>" (see connect-handlers.ts). */
  connect: Record<string, ConnectHandler>;
}

type Params = { namespace?: string; resource: string; name?: string; sub?: string };
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Items per page of a streamed whole list: a page costs well under a millisecond to read from the store. */
const STREAM_PAGE = 500;

export function registerResourceRoutes(app: FastifyInstance, deps: ResourceRouteDeps): void {
  for (const gv of groupVersions()) registerGroup(app, deps, gv === 'v1' ? '/api/v1' : `/apis/${gv}`, gv);
}

function registerGroup(app: FastifyInstance, deps: ResourceRouteDeps, prefix: string, apiVersion: string): void {
  const reg = deps.registry;
  const resourceFor = (plural: string): Resource => {
    const r = resourceAt(apiVersion, plural);
    if (!r) throw notFoundPath();
    return r;
  };

  const collection = async (req: FastifyRequest, reply: FastifyReply, r: Resource, ns: string | undefined) => {
    const q = req.query as Query;
    switch (req.method) {
      case 'GET': {
        if (isWatch(q)) return serveHttpWatch(req, reply, deps, r, ns);
        const filter = parseFilter(q, r.resource);
        const lp = parseListParams(q);
        await awaitRevision(deps.storage, lp.resourceVersion);
        const current = deps.storage.currentRevision();
        if (lp.resourceVersion !== undefined && lp.resourceVersion > current) {
          throw errors.timeout(`Too large resource version: ${lp.resourceVersion}, current: ${current}`);
        }
        const match = filter.everything ? undefined : (s: StoredObject) => filter.matches(s.attrs);
        if (lp.limit === undefined && lp.continue === undefined && !tableRequested(req)) {
          // A whole JSON list goes out page by page of one snapshot, each read as the socket drains: the first bytes
          // leave before the rest is even looked at.
          const first = reg.list(r, ns, { filter: match, limit: STREAM_PAGE, countRemaining: false });
          let token = first.continue;
          const nextPage = () => {
            const page = reg.list(r, ns, { filter: match, limit: STREAM_PAGE, continue: token, countRemaining: false });
            token = page.continue;
            return { items: page.items, more: token !== undefined };
          };
          return sendList(req, reply, r, first.items, { rv: first.rv }, token === undefined ? undefined : nextPage);
        }
        const res = reg.list(r, ns, { filter: match, limit: lp.limit, continue: lp.continue });
        return sendList(req, reply, r, res.items, res);
      }
      case 'POST': {
        if (!r.namespaced && ns !== undefined) throw notFoundPath();
        const { stored, warnings } = await reg.create(r, ns, req.body, { ...parseWriteParams(q), user: req.user });
        return sendObject(req, reply, 201, r, stored, warnings);
      }
      case 'DELETE': {
        if (!r.verbs.includes('deletecollection')) break;
        const filter = parseFilter(q, r.resource);
        const out = await reg.deleteCollection(r, ns, filter.matches, parseDeleteOptions(q, req.body), req.user);
        return sendList(req, reply, r, out, { rv: deps.storage.currentRevision() });
      }
    }
    throw errors.methodNotAllowed(req.method, r.kind);
  };

  const item = async (req: FastifyRequest, reply: FastifyReply, r: Resource, ns: string | undefined, name: string, sub?: string) => {
    const q = req.query as Query;
    if (sub !== undefined && !updateSubresource(r, sub)) {
      if (sub === 'scale' && r.scale) return serveScale(req, reply, reg, r, ns, name);
      const handler = Object.hasOwn(deps.connect, `${r.resource}/${sub}`) ? deps.connect[`${r.resource}/${sub}`] : undefined;
      if (!handler) throw notFoundPath();
      return handler(req, reply, { resource: r, namespace: ns, name });
    }
    switch (req.method) {
      case 'GET': return sendObject(req, reply, 200, r, reg.get(r, ns, name));
      case 'PUT': {
        const { stored, warnings } = await reg.update(r, ns, name, req.body, sub, { ...parseWriteParams(q), user: req.user });
        return sendObject(req, reply, 200, r, stored, warnings);
      }
      case 'PATCH': {
        const kind = patchKind(req);
        const wp = { ...parseWriteParams(q), user: req.user };
        if (kind === 'apply' && !wp.fieldManager) throw errors.badRequest('PATCH, application/apply-patch+yaml requests must set the fieldManager parameter');
        const { stored, warnings, created } = await reg.patch(r, ns, name, kind, req.body, sub, wp);
        return sendObject(req, reply, created ? 201 : 200, r, stored, warnings);
      }
      case 'DELETE': {
        if (sub) break;
        const { stored, deleted } = await reg.delete(r, ns, name, parseDeleteOptions(q, req.body), req.user);
        // An object that stays (grace period, finalizers) is returned as it now is; a removed one as the kind says.
        if (!deleted || r.strategy.returnsDeletedObject) return sendObject(req, reply, 200, r, stored);
        const status = successStatus(200, { name, ...(r.group ? { group: r.group } : {}), kind: r.resource, uid: stored.object.metadata.uid });
        return sendJsonText(reply, 200, JSON.stringify(status));
      }
    }
    throw errors.methodNotAllowed(req.method, r.kind);
  };

  const namespaced = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const { namespace, resource, name, sub } = req.params;
    // /api/v1/namespaces/{name}/status (and /finalize) is the namespace's own subresource, not a resource inside it.
    const nsResource = resourceAt(apiVersion, 'namespaces');
    if (nsResource && name === undefined && updateSubresource(nsResource, resource)) {
      return item(req, reply, nsResource, undefined, namespace!, resource);
    }
    const r = resourceFor(resource);
    if (!r.namespaced) throw notFoundPath();
    return name === undefined ? collection(req, reply, r, namespace) : item(req, reply, r, namespace, name, sub);
  };

  const clusterScoped = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const { resource, name, sub } = req.params;
    const r = resourceFor(resource);
    if (name === undefined) {
      if (r.namespaced && req.method !== 'GET') throw errors.methodNotAllowed(req.method, r.kind);
      return collection(req, reply, r, undefined);
    }
    if (r.namespaced) throw notFoundPath();
    return item(req, reply, r, undefined, name, sub);
  };

  const ws = (scope: 'ns' | 'cluster') => (socket: WebSocket, req: FastifyRequest<{ Params: Params }>) => {
    const { namespace, resource, name } = req.params;
    const r = name === undefined ? resourceAt(apiVersion, resource) : undefined;
    void serveWsWatch(socket, req, deps, r, scope === 'ns' ? namespace : undefined);
  };

  // @fastify/websocket only attaches to GET routes: GET carries both handlers, the other verbs share one route.
  const route = (url: string, handler: typeof namespaced, wsHandler?: ReturnType<typeof ws>) => {
    app.route({ method: 'GET', url, handler, ...(wsHandler ? { wsHandler } : {}) } as never);
    app.route({ method: METHODS.filter((m) => m !== 'GET'), url, handler } as never);
  };

  route(`${prefix}/namespaces/:namespace/:resource`, namespaced, ws('ns'));
  route(`${prefix}/namespaces/:namespace/:resource/:name`, namespaced);
  route(`${prefix}/namespaces/:namespace/:resource/:name/:sub`, namespaced);
  route(`${prefix}/:resource`, clusterScoped, ws('cluster'));
  route(`${prefix}/:resource/:name`, clusterScoped);
  route(`${prefix}/:resource/:name/:sub`, clusterScoped);
  // Legacy watch paths (/api/v1/watch/…) are the list URL with watch=true.
  const legacy = (handler: typeof namespaced) => async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    (req.query as Query).watch = 'true';
    if (req.method !== 'GET') throw errors.methodNotAllowed(req.method, 'watch');
    return handler(req, reply);
  };
  route(`${prefix}/watch/namespaces/:namespace/:resource`, legacy(namespaced), ws('ns'));
  route(`${prefix}/watch/:resource`, legacy(clusterScoped), ws('cluster'));
}
