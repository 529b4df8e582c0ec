// Subresources served outside the generic store, keyed "<plural>/<subresource>": pods/binding, pods/log and the
// streaming ones. The exec/attach/portforward entries are the hook for a real implementation: replace the handler
// here (and list the subresource in the pod declaration's `connect` for discovery); no route changes are needed.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, successStatus, type StatusError } from '@podling/api';
import { bindPod } from '../registry/binding.ts';
import type { Registry } from '../registry/registry.ts';
import type { Resource } from '../registry/resource.ts';
import { sendJsonText } from '../http/respond.ts';

export interface ConnectTarget { resource: Resource; namespace: string | undefined; name: string }
export type ConnectHandler = (req: FastifyRequest, reply: FastifyReply, target: ConnectTarget) => Promise<unknown>;

/** exec, attach and port-forward: refused the same way whether they come as a plain request or as an upgrade. */
export function streamingNotSupported(): StatusError {
  return errors.badRequest('exec, attach and port-forward are not supported by Podling: containers run as plain processes on the node; use "kubectl logs" to see their output');
}

export function connectHandlers(reg: Registry,
  podLog: (req: FastifyRequest, reply: FastifyReply, namespace: string, name: string) => Promise<unknown>): Record<string, ConnectHandler> {
  const streaming: ConnectHandler = async (_req, _reply, t) => {
    reg.get(t.resource, t.namespace, t.name);
    throw streamingNotSupported();
  };
  return {
    'pods/binding': async (req, reply, t) => {
      if (req.method !== 'POST') throw errors.methodNotAllowed(req.method, 'Binding');
      await bindPod(reg, t.namespace!, t.name, req.body);
      return sendJsonText(reply, 201, JSON.stringify(successStatus(201)));
    },
    'pods/log': async (req, reply, t) => {
      if (req.method !== 'GET') throw errors.methodNotAllowed(req.method, 'Pod');
      return podLog(req, reply, t.namespace!, t.name);
    },
    'pods/exec': streaming,
    'pods/attach': streaming,
    'pods/portforward': streaming,
  };
}
