// Non-resource endpoints: version, discovery, OpenAPI and health checks, all derived from the resource declarations.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { apiGroupList, apiResourceList, apiVersions, versionInfo } from '../kubectl/discovery.ts';
import { openapiV2Document, openapiV3Document, openapiV3Index, openapiV3Key } from '../kubectl/openapi.ts';
import { groupVersions, RESOURCES, resourcesOf } from '../registry/resources.ts';

const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** gnostic openapi_v2.Document {swagger=1: "2.0", info=2: {title=1: "Kubernetes", version=2: "v1.32.0"}}. */
const EMPTY_V2_PROTOBUF = (() => {
  const str = (field: number, v: string) => [field * 8 + 2, Buffer.byteLength(v), ...Buffer.from(v)];
  const info = [...str(1, 'Kubernetes'), ...str(2, 'v1.32.0')];
  return Buffer.from([...str(1, '2.0'), 2 * 8 + 2, info.length, ...info]);
})();

export function registerDiscovery(app: FastifyInstance, isReady: () => boolean, storageHealth?: () => Promise<string | undefined>): void {
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
  // Swagger 2.0: the full document as JSON; to kubectl, which asks for gnostic protobuf (to validate a kind its v3
  // lookup did not find, and to compute client-side apply patches), a document without definitions — it then skips
  // validation of unknown kinds (so `kubectl apply` reports "no matches for kind") and uses its built-in patch metadata.
  const v2 = json(openapiV2Document(RESOURCES));
  app.get('/openapi/v2', (req, reply) => {
    const accept = req.headers.accept ?? '*/*';
    if (accept.includes('protobuf') && !/application\/json|\*\/\*/.test(accept)) return reply.type(OPENAPI_V2_PROTOBUF).send(EMPTY_V2_PROTOBUF);
    return reply.type('application/json').send(v2);
  });
  // kubectl looks for a CRD when a manifest's kind is not in OpenAPI; an empty list lets it say "no matches for kind".
  app.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', send(json({
    kind: 'CustomResourceDefinitionList', apiVersion: 'apiextensions.k8s.io/v1', metadata: { resourceVersion: '0' }, items: [],
  })));
  for (const path of ['/healthz', '/livez']) app.get(path, (_req, reply) => reply.type('text/plain').send('ok'));
  app.get('/readyz', async (_req, reply) => {
    if (!isReady()) return reply.code(503).type('text/plain').send('not ready');
    // kube-apiserver's etcd-readiness check: a failed check answers 500 and names itself.
    const trouble = await storageHealth?.();
    if (trouble) return reply.code(500).type('text/plain').send(`[-]etcd-readiness failed: ${trouble}\nreadyz check failed`);
    return reply.type('text/plain').send('ok');
  });
}
