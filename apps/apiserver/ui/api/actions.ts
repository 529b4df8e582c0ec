// The writes the dashboard offers, as kubectl sends them: delete (graceful, or --force --grace-period=0), scale through
// the scale subresource, rollout restart's template annotation, cordon's spec.unschedulable.
import { rfc3339 } from '@podling/api';
import { request } from './api.ts';

export interface Target { group: string; resource: string; namespace?: string; name: string }

export function objectPath(t: Target): string {
  const base = t.group ? `/apis/${t.group}/v1` : '/api/v1';
  const ns = t.namespace ? `/namespaces/${encodeURIComponent(t.namespace)}` : '';
  return `${base}${ns}/${t.resource}/${encodeURIComponent(t.name)}`;
}

/** kubectl delete: graceful by default; --force --grace-period=0 removes the object without waiting for the node. */
export function deleteObject(t: Target, force = false): Promise<Response> {
  const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(force ? { gracePeriodSeconds: 0 } : {}) };
  return request(objectPath(t), { method: 'DELETE', body });
}

export function scale(t: Target, replicas: number): Promise<Response> {
  if (!Number.isInteger(replicas) || replicas < 0) return Promise.reject(new Error('replicas must be a whole number, 0 or more'));
  return request(`${objectPath(t)}/scale`, { method: 'PATCH', patch: 'merge', body: { spec: { replicas } } });
}

/** kubectl rollout restart: a new template annotation makes a new revision with the same spec. */
export function rolloutRestart(t: Target): Promise<Response> {
  const restartedAt = rfc3339();
  return request(objectPath(t), {
    method: 'PATCH', patch: 'strategic',
    body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } },
  });
}

/** kubectl cordon / uncordon. */
export function setUnschedulable(node: string, unschedulable: boolean): Promise<Response> {
  return request(objectPath({ group: '', resource: 'nodes', name: node }), { method: 'PATCH', patch: 'merge', body: { spec: { unschedulable } } });
}
