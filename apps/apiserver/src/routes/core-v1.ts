// The core/v1 REST surface: every URL shape of a resource, its subresources and legacy watch paths. Handlers only
// parse the request and shape the response; the registry does the work.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { errors, successStatus, type StatusError } from '@podling/api';
import { GROUPS, STRATEGIES } from '../registry/strategies.ts';
import type { Registry } from '../registry/registry.ts';
import type { Strategy } from '../registry/strategy.ts';
import { patchObject, updateObject, type PatchKind } from '../registry/update.ts';
import { deleteObject } from '../registry/delete.ts';
import { bindPod } from '../registry/binding.ts';
import { PATCH_TYPES } from '../http/body-parsers.ts';
import { notFoundPath } from '../http/to-status-error.ts';
import { isWatch, parseDeleteOptions, parseFilter, parseListParams, parseWriteParams, type Query } from '../http/query.ts';
import { sendJsonText, sendList, sendObject } from '../http/respond.ts';
import { serveHttpWatch, serveWsWatch, type WatchDeps } from './watch-route.ts';

/** exec, attach and port-forward: refused the same way whether they come as a plain request or as an upgrade. */
export function streamingNotSupported(): StatusError {
  return errors.badRequest('exec, attach and port-forward are not supported by Podling: containers run as plain processes on the node; use "kubectl logs" to see their output');
}

export interface CoreV1Deps extends WatchDeps {
  registry: Registry;
  /** GET pods/{name}/log, served by the log proxy. */
  podLog(req: FastifyRequest, reply: FastifyReply, namespace: string, name: string): Promise<unknown>;
}

type Params = { namespace?: string; resource: string; name?: string; sub?: string };
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export function registerCoreV1(app: FastifyInstance, deps: CoreV1Deps): void {
  registerGroup(app, deps, '/api/v1', STRATEGIES);
  for (const [gv, strategies] of Object.entries(GROUPS)) registerGroup(app, deps, `/apis/${gv}`, strategies);
}

function registerGroup(app: FastifyInstance, deps: CoreV1Deps, prefix: string, strategies: Record<string, Strategy>): void {
  const reg = deps.registry;
  const strategyFor = (resource: string): Strategy => {
    const s = Object.hasOwn(strategies, resource) ? strategies[resource] : undefined;
    if (!s) throw notFoundPath();
    return s;
  };

  const collection = async (req: FastifyRequest, reply: FastifyReply, s: Strategy, ns: string | undefined) => {
    const q = req.query as Query;
    switch (req.method) {
      case 'GET': {
        if (isWatch(q)) return serveHttpWatch(req, reply, deps, s, ns);
        const filter = parseFilter(q, s.resource);
        const lp = parseListParams(q);
        const current = deps.storage.currentRevision();
        if (lp.resourceVersion !== undefined && lp.resourceVersion > current) {
          throw errors.timeout(`Too large resource version: ${lp.resourceVersion}, current: ${current}`);
        }
        const res = reg.list(s, ns, { filter: filter.everything ? undefined : filter.matches, limit: lp.limit, continue: lp.continue });
        return sendList(req, reply, s.resource, s.listKind, s.apiVersion, res.items, res);
      }
      case 'POST': {
        if (!s.namespaced && ns !== undefined) throw notFoundPath();
        const wp = { ...parseWriteParams(q), user: req.user };
        const { stored, warnings } = await reg.create(s, ns, req.body, wp);
        return sendObject(req, reply, 201, s.resource, stored, warnings);
      }
      case 'DELETE': {
        const filter = parseFilter(q, s.resource);
        const options = parseDeleteOptions(q, req.body);
        const items = reg.list(s, ns, { filter: filter.matches }).items;
        const out = [];
        for (const it of items) {
          const m = it.object.metadata;
          try { out.push((await deleteObject(reg, s, m.namespace, m.name!, options, req.user)).stored); } catch (e) { if ((e as { code?: number }).code !== 404) throw e; }
        }
        return sendList(req, reply, s.resource, s.listKind, s.apiVersion, out, { rv: deps.storage.currentRevision() });
      }
    }
    throw errors.methodNotAllowed(req.method, s.kind);
  };

  const item = async (req: FastifyRequest, reply: FastifyReply, s: Strategy, ns: string | undefined, name: string, sub?: string) => {
    const q = req.query as Query;
    if (sub !== undefined && sub !== 'status') return subresource(req, reply, s, ns, name, sub);
    if (sub === 'status' && !s.status) throw notFoundPath(); // events and leases have no status subresource
    switch (req.method) {
      case 'GET': return sendObject(req, reply, 200, s.resource, reg.get(s, ns, name));
      case 'PUT': {
        const { stored, warnings } = await updateObject(reg, s, ns, name, req.body, sub as 'status' | undefined, { ...parseWriteParams(q), user: req.user });
        return sendObject(req, reply, 200, s.resource, stored, warnings);
      }
      case 'PATCH': {
        const ct = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        const kind = (PATCH_TYPES as Record<string, PatchKind>)[ct];
        if (!kind) throw errors.unsupportedMediaType(Object.keys(PATCH_TYPES));
        const wp = { ...parseWriteParams(q), user: req.user };
        if (kind === 'apply' && !wp.fieldManager) throw errors.badRequest('PATCH, application/apply-patch+yaml requests must set the fieldManager parameter');
        const { stored, warnings, created } = await patchObject(reg, s, ns, name, kind, req.body, sub as 'status' | undefined, wp);
        return sendObject(req, reply, created ? 201 : 200, s.resource, stored, warnings);
      }
      case 'DELETE': {
        if (sub) break;
        const { stored, deleted } = await deleteObject(reg, s, ns, name, parseDeleteOptions(q, req.body), req.user);
        if (s.returnsDeletedObject) return sendObject(req, reply, 200, s.resource, stored);
        const status = successStatus(200, { name, kind: s.resource, uid: stored.object.metadata.uid });
        return sendJsonText(reply, deleted ? 200 : 202, JSON.stringify(status));
      }
    }
    throw errors.methodNotAllowed(req.method, s.kind);
  };

  const subresource = async (req: FastifyRequest, reply: FastifyReply, s: Strategy, ns: string | undefined, name: string, sub: string) => {
    if (s.resource !== 'pods') throw notFoundPath();
    if (sub === 'binding') {
      if (req.method !== 'POST') throw errors.methodNotAllowed(req.method, 'Binding');
      await bindPod(reg, ns!, name, req.body);
      return sendJsonText(reply, 201, JSON.stringify(successStatus(201)));
    }
    if (sub === 'log') {
      if (req.method !== 'GET') throw errors.methodNotAllowed(req.method, 'Pod');
      return deps.podLog(req, reply, ns!, name);
    }
    if (sub === 'exec' || sub === 'attach' || sub === 'portforward') {
      reg.get(s, ns, name);
      throw streamingNotSupported();
    }
    throw notFoundPath();
  };

  const namespaced = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const { namespace, resource, name, sub } = req.params;
    // /api/v1/namespaces/{name}/status is the namespace's own subresource, not a resource inside it.
    if (prefix === '/api/v1' && name === undefined && (resource === 'status' || resource === 'finalize')) {
      return item(req, reply, strategyFor('namespaces'), undefined, namespace!, 'status');
    }
    const s = strategyFor(resource);
    if (!s.namespaced) throw notFoundPath();
    return name === undefined ? collection(req, reply, s, namespace) : item(req, reply, s, namespace, name, sub);
  };

  const clusterScoped = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const { resource, name, sub } = req.params;
    const s = strategyFor(resource);
    if (name === undefined) {
      if (s.namespaced && req.method !== 'GET') throw errors.methodNotAllowed(req.method, s.kind);
      return collection(req, reply, s, undefined);
    }
    if (s.namespaced) throw notFoundPath();
    return item(req, reply, s, undefined, name, sub);
  };

  const ws = (scope: 'ns' | 'cluster') => (socket: WebSocket, req: FastifyRequest<{ Params: Params }>) => {
    const { namespace, resource, name } = req.params;
    const s = name === undefined && Object.hasOwn(strategies, resource) ? strategies[resource] : undefined;
    serveWsWatch(socket, req, deps, s, scope === 'ns' ? namespace : undefined);
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
