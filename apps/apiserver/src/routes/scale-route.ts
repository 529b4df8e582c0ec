// GET/PUT/PATCH <kind>/{name}/scale: the autoscaling/v1 Scale view of a kind with spec.replicas
// (pkg/registry/apps/deployment/storage/storage.go ScaleREST). Reads are built from the parent; a write carries only
// spec.replicas (and a resourceVersion or uid precondition) back into the parent, which then takes its ordinary
// update path: validation, generation bump, conflicts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  applyJsonPatch, applyMergePatch, decodeObject, errors, field, type KubeObject,
} from '@podling/api';
import type { StoredObject } from '@podling/store';
import type { Registry } from '../registry/registry.ts';
import type { Resource } from '../registry/resource.ts';
import { parseWriteParams, type Query } from '../http/query.ts';
import { sendJsonText } from '../http/respond.ts';
import { patchKind } from '../http/body-parsers.ts';

interface Scale extends KubeObject { spec?: { replicas?: number }; status?: { replicas: number; selector?: string } }

export function toScale(r: Resource, stored: StoredObject): Scale {
  const o = stored.object as KubeObject & { spec?: { replicas?: number }; status?: { replicas?: number } };
  const m = o.metadata;
  const replicas = o.spec?.replicas;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}), uid: m.uid, resourceVersion: String(stored.rv),
      creationTimestamp: m.creationTimestamp,
    },
    spec: replicas ? { replicas } : {},
    status: { replicas: o.status?.replicas ?? 0, selector: r.scale!.selector(o) },
  };
}

export async function serveScale(req: FastifyRequest, reply: FastifyReply, reg: Registry, r: Resource,
  ns: string | undefined, name: string): Promise<unknown> {
  const send = (code: number, stored: StoredObject) => sendJsonText(reply, code, JSON.stringify(toScale(r, stored)));
  if (req.method === 'GET') return send(200, reg.get(r, ns, name));
  if (req.method !== 'PUT' && req.method !== 'PATCH') throw errors.methodNotAllowed(req.method, 'Scale');
  const wp = parseWriteParams(req.query as Query);
  let body: unknown = req.body;
  if (req.method === 'PATCH') {
    const kind = patchKind(req);
    const current = toScale(r, reg.get(r, ns, name));
    body = kind === 'json' ? applyJsonPatch(current, req.body) : applyMergePatch(current, req.body);
  }
  if (body === undefined || body === null) throw errors.badRequest('a Scale object is required');
  const scale = decodeObject<Scale>('Scale', body, { fieldValidation: wp.fieldValidation ?? 'Warn' }).object;
  if (scale.metadata.name && scale.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`);
  }
  const replicas = scale.spec?.replicas ?? 0;
  if (replicas < 0) throw errors.invalid('Scale', name, [field.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')], 'autoscaling');
  const m = scale.metadata;
  const precondition = { ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}), ...(m.uid ? { uid: m.uid } : {}) };
  const { stored } = await reg.patch(r, ns, name, 'merge', { metadata: precondition, spec: { replicas } }, undefined, { dryRun: wp.dryRun, user: req.user });
  return send(200, stored);
}
