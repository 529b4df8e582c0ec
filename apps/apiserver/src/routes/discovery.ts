// Non-resource endpoints: version, discovery, minimal OpenAPI v3, and health checks.
import type { FastifyInstance } from 'fastify';
import { apiGroupList, apiResourceList, apiVersions, versionInfo } from '../kubectl/discovery.ts';
import { openapiV3CoreV1, openapiV3Index } from '../kubectl/openapi.ts';
import { GROUPS } from '../registry/strategies.ts';

export function registerDiscovery(app: FastifyInstance, isReady: () => boolean): void {
  const json = (body: unknown) => JSON.stringify(body);
  const v = json(versionInfo());
  const groups = json(apiGroupList(Object.keys(GROUPS)));
  const resources = json(apiResourceList());
  const oaIndex = json(openapiV3Index());
  const oaCore = json(openapiV3CoreV1());
  const send = (text: string) => (_req: unknown, reply: import('fastify').FastifyReply) => reply.type('application/json').send(text);
  app.get('/version', send(v));
  app.get('/api', (req, reply) => reply.type('application/json').send(json(apiVersions(req.headers.host ?? ''))));
  app.get('/apis', send(groups));
  app.get('/api/v1', send(resources));
  for (const gv of Object.keys(GROUPS)) {
    const [name, version] = gv.split('/');
    const group = apiGroupList([gv]).groups[0];
    app.get(`/apis/${name}`, send(json({ kind: 'APIGroup', apiVersion: 'v1', ...group })));
    app.get(`/apis/${gv}`, send(json(apiResourceList([], `${name}/${version}`))));
  }
  app.get('/openapi/v3', send(oaIndex));
  app.get('/openapi/v3/api/v1', send(oaCore));
  for (const path of ['/healthz', '/livez']) app.get(path, (_req, reply) => reply.type('text/plain').send('ok'));
  app.get('/readyz', (_req, reply) => isReady() ? reply.type('text/plain').send('ok') : reply.code(503).type('text/plain').send('not ready'));
}
