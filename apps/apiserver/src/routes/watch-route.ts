// GET …?watch=true over chunked HTTP, and the same URL upgraded to a websocket (one JSON event per message).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { errors, isStatusError } from '@podling/api';
import type { Storage } from '@podling/store';
import { parseIncludeObject, toTable } from '../kubectl/tables.ts';
import { parseFilter, parseResourceVersion, parseWatchParams, type Query } from '../http/query.ts';
import { tableRequested } from '../http/respond.ts';
import { awaitRevision } from '../http/await-revision.ts';
import { jsonRenderer, type Renderer } from '../watch/event-lines.ts';
import { httpSink, wsSink } from '../watch/sink.ts';
import type { WatchHub, WatchSpec } from '../watch/watch-hub.ts';
import type { Resource } from '../registry/resource.ts';

export interface WatchDeps { storage: Storage; hub: WatchHub; minRequestTimeoutMs: number; bufferLimitBytes: number }

function tableRenderer(r: Resource, includeObject: 'None' | 'Metadata' | 'Object'): Renderer {
  return {
    key: `table|${includeObject}`,
    render: (s) => JSON.stringify(toTable(r, [s.object], { now: Date.now(), includeObject, resourceVersion: String(s.rv) })),
  };
}

function buildSpec(req: FastifyRequest, deps: WatchDeps, s: Resource, namespace: string | undefined, asTable: boolean): WatchSpec {
  const q = req.query as Query;
  const filter = parseFilter(q, s.resource);
  const wp = parseWatchParams(q);
  const rv = parseResourceVersion(q);
  const current = deps.storage.currentRevision();
  if (rv !== undefined && rv > current) {
    throw errors.timeout(`Too large resource version: ${rv}, current: ${current}`);
  }
  const min = deps.minRequestTimeoutMs;
  return {
    resource: s.resource, apiVersion: s.apiVersion, kind: s.kind, namespace: s.namespaced ? namespace || undefined : undefined,
    matches: filter.matches, trigger: filter.trigger,
    fromRv: wp.sendInitialEvents ? undefined : rv,
    initialEventsEndBookmark: wp.sendInitialEvents,
    bookmarks: wp.allowWatchBookmarks,
    timeoutMs: wp.timeoutSeconds ? wp.timeoutSeconds * 1000 : min + Math.floor(Math.random() * min),
    renderer: asTable ? tableRenderer(s, parseIncludeObject(q.includeObject)) : jsonRenderer,
  };
}

export async function serveHttpWatch(req: FastifyRequest, reply: FastifyReply, deps: WatchDeps, s: Resource, namespace: string | undefined): Promise<void> {
  await awaitRevision(deps.storage, parseResourceVersion(req.query as Query));
  const spec = buildSpec(req, deps, s, namespace, tableRequested(req));
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  deps.hub.start(spec, httpSink(res, deps.bufferLimitBytes));
}

export async function serveWsWatch(socket: WebSocket, req: FastifyRequest, deps: WatchDeps, s: Resource | undefined, namespace: string | undefined): Promise<void> {
  try {
    if (!s) throw errors.notFound('resource', '');
    await awaitRevision(deps.storage, parseResourceVersion(req.query as Query));
    deps.hub.start(buildSpec(req, deps, s, namespace, false), wsSink(socket, deps.bufferLimitBytes));
  } catch (e) {
    const status = isStatusError(e) ? e.status : errors.internal().status;
    socket.send(JSON.stringify({ type: 'ERROR', object: status }));
    socket.close(1000, 'watch refused');
  }
}
