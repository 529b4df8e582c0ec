// Writing API responses: stored JSON text goes out as-is (never re-serialized; a large list streamed), as a kubectl
// Table when asked.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KubeObject } from '@podling/api';
import type { Resource } from '../registry/resource.ts';
import type { StoredObject } from '@podling/store';
import { parseIncludeObject, toTable, wantsTable } from '../kubectl/tables.ts';
import type { Query } from './query.ts';
import { listBody, type NextPage } from './list-body.ts';

export function setWarnings(reply: FastifyReply, warnings: string[]): void {
  if (warnings.length) reply.header('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}

export function sendJsonText(reply: FastifyReply, code: number, text: string): FastifyReply {
  return reply.code(code).type('application/json').send(text);
}

export function tableRequested(req: FastifyRequest): boolean {
  return wantsTable(req.headers.accept);
}

export function sendObject(req: FastifyRequest, reply: FastifyReply, code: number, r: Resource, stored: StoredObject, warnings: string[] = []): FastifyReply {
  setWarnings(reply, warnings);
  if (tableRequested(req)) {
    const table = toTable(r, [stored.object], {
      now: Date.now(), includeObject: parseIncludeObject((req.query as Query).includeObject), resourceVersion: String(stored.rv),
    });
    return sendJsonText(reply, code, JSON.stringify(table));
  }
  return sendJsonText(reply, code, stored.json);
}

export function sendList(req: FastifyRequest, reply: FastifyReply, r: Resource,
  items: StoredObject[], meta: { rv: number; continue?: string; remainingItemCount?: number }, nextPage?: NextPage): FastifyReply {
  if (tableRequested(req)) {
    const table = toTable(r, items.map((i) => i.object as KubeObject), {
      now: Date.now(), includeObject: parseIncludeObject((req.query as Query).includeObject),
      resourceVersion: String(meta.rv), continue: meta.continue,
    });
    return sendJsonText(reply, 200, JSON.stringify(table));
  }
  let m = `{"resourceVersion":"${meta.rv}"`;
  if (meta.continue) m += `,"continue":${JSON.stringify(meta.continue)}`;
  if (meta.remainingItemCount !== undefined) m += `,"remainingItemCount":${meta.remainingItemCount}`;
  m += '}';
  const body = listBody(`{"kind":"${r.listKind}","apiVersion":"${r.apiVersion}","metadata":${m},"items":[`, items, ']}', nextPage);
  return reply.code(200).type('application/json').send(body);
}
