// Subresources served outside the generic store, keyed "<plural>/<subresource>": pods/binding and pods/log. The
// streaming ones (exec, attach, portforward) need websocket upgrades and have routes of their own (pod-streams.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, successStatus } from '@podling/api';
import { bindPod } from '../registry/binding.ts';
import type { Registry } from '../registry/registry.ts';
import type { Resource } from '../registry/resource.ts';
import { sendJsonText } from '../http/respond.ts';

export interface ConnectTarget { resource: Resource; namespace: string | undefined; name: string }
export type ConnectHandler = (req: FastifyRequest, reply: FastifyReply, target: ConnectTarget) => Promise<unknown>;

export function connectHandlers(reg: Registry,
  podLog: (req: FastifyRequest, reply: FastifyReply, namespace: string, name: string) => Promise<unknown>): Record<string, ConnectHandler> {
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
  };
}
