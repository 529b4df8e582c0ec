// GET pods/{name}/log: picks the container, finds the pod's node and streams the log from that node's agent
// (GET /containerLogs/{ns}/{pod}/{container} on the kubelet's own HTTP server).
import http from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, isDNS1123Label, type Node, type Pod } from '@podling/api';
import type { Storage } from '@podling/store';
import type { Query } from '../http/query.ts';

const PASSED_PARAMS = ['follow', 'tailLines', 'timestamps', 'previous', 'limitBytes', 'sinceSeconds', 'sinceTime'];

export function podLogProxy(storage: Storage) {
  return async (req: FastifyRequest, reply: FastifyReply, namespace: string, name: string): Promise<unknown> => {
    const q = req.query as Query;
    const pod = storage.get({ resource: 'pods', namespace, name })?.object as Pod | undefined;
    if (!pod) throw errors.notFound('pods', name);
    const names = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
    let container = typeof q.container === 'string' && q.container ? q.container : undefined;
    if (!container) {
      if (pod.spec.containers.length !== 1) {
        throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${pod.spec.containers.map((c) => c.name).join(' ')}]`);
      }
      container = pod.spec.containers[0].name;
    }
    if (isDNS1123Label(container).length || !names.includes(container)) {
      throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
    }
    const nodeName = pod.spec.nodeName;
    if (!nodeName) throw errors.badRequest(`container "${container}" in pod "${name}" is waiting to start: pod has not been scheduled to a node`);
    const node = storage.get({ resource: 'nodes', namespace: '', name: nodeName })?.object as Node | undefined;
    const port = node?.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    const address = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address
      ?? node?.status?.addresses?.find((a) => a.type === 'Hostname')?.address;
    if (!node || !port || !address) throw errors.serviceUnavailable(`node ${JSON.stringify(nodeName)} has no kubelet endpoint to fetch logs from`);
    const params = new URLSearchParams();
    for (const k of PASSED_PARAMS) if (typeof q[k] === 'string') params.set(k, q[k] as string);
    const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${params}`;
    const host = address.includes(':') ? `[${address}]` : address;
    reply.hijack();
    const upstream = http.get(`http://${host}:${port}${path}`, (res) => {
      reply.raw.writeHead(res.statusCode ?? 502, { 'Content-Type': res.headers['content-type'] ?? 'text/plain', 'Cache-Control': 'no-cache' });
      res.pipe(reply.raw);
    });
    upstream.setTimeout(10_000, () => { if (!reply.raw.headersSent) upstream.destroy(new Error('timed out connecting to the kubelet')); });
    upstream.on('error', (e) => {
      if (reply.raw.headersSent) { reply.raw.destroy(); return; }
      const st = errors.serviceUnavailable(`unable to fetch logs from node ${nodeName}: ${e.message}`).status;
      reply.raw.writeHead(503, { 'Content-Type': 'application/json' });
      reply.raw.end(JSON.stringify(st));
    });
    reply.raw.on('close', () => upstream.destroy());
    return reply;
  };
}
