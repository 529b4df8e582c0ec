// Non-resource endpoints: version, discovery, OpenAPI and health checks, all derived from the resource declarations.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { apiGroupList, apiResourceList, apiVersions, versionInfo } from '../kubectl/discovery.ts';
import { openapiV3Document, openapiV3Index, openapiV3Key } from '../kubectl/openapi.ts';
import { groupVersions, resourcesOf } from '../registry/resources.ts';

export function registerDiscovery(app: FastifyInstance, isReady: () => boolean): void {
  const json = (body: unknown) => JSON.stringify(body);
  const send = (text: string) => (_req: unknown, reply: FastifyReply) => reply.type('application/json').send(text);
  const named = groupVersions().filter((gv) => gv !== 'v1');
  app.get('/version', send(json(versionInfo())));
  app.get('/api', (req, reply) => reply.type('application/json').send(json(apiVersions(req.headers.host ?? ''))));
  app.get('/apis', send(json(apiGroupList(named))));
  app.get('/openapi/v3', send(json(openapiV3Index(groupVersions()))));
  for (const gv of groupVersions()) {
    app.get(gv === 'v1' ? '/api/v1' : `/apis/${gv}`, send(json(apiResourceList(resourcesOf(gv), gv))));
    app.get(`/openapi/v3/${openapiV3Key(gv)}`, send(json(openapiV3Document(resourcesOf(gv)))));
  }
  for (const group of apiGroupList(named).groups) {
    app.get(`/apis/${group.name}`, send(json({ kind: 'APIGroup', apiVersion: 'v1', ...group })));
  }
  for (const path of ['/healthz', '/livez']) app.get(path, (_req, reply) => reply.type('text/plain').send('ok'));
  app.get('/readyz', (_req, reply) => isReady() ? reply.type('text/plain').send('ok') : reply.code(503).type('text/plain').send('not ready'));
}
