// GET pods/{name}/log: picks the container, finds the pod's node and streams the log from that node's agent
// (GET /containerLogs/{ns}/{pod}/{container} on the agent's own server, through KubeletClient: only an agent the
// apiserver can authenticate is asked, and only its authenticated answer is relayed).
import http from 'node:http';
import https from 'node:https';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, queryBool, type Node, type Pod } from '@podling/api';
import type { Storage } from '@podling/store';
import type { Query } from '../http/query.ts';
import type { KubeletClient } from '../kubelet/kubelet-client.ts';
import { pickContainer } from '../kubelet/pick-container.ts';

const PASSED_PARAMS = ['follow', 'tailLines', 'timestamps', 'previous', 'limitBytes', 'sinceSeconds', 'sinceTime'];
const BOOL_PARAMS = ['follow', 'timestamps', 'previous'];

export function podLogProxy(storage: Storage, kubelets: KubeletClient) {
  return async (req: FastifyRequest, reply: FastifyReply, namespace: string, name: string): Promise<unknown> => {
    const q = req.query as Query;
    const pod = storage.get({ resource: 'pods', namespace, name })?.object as Pod | undefined;
    if (!pod) throw errors.notFound('pods', name);
    const container = pickContainer(pod, typeof q.container === 'string' ? q.container : undefined);
    const nodeName = pod.spec.nodeName;
    if (!nodeName) throw errors.badRequest(`container "${container}" in pod "${name}" is waiting to start: pod has not been scheduled to a node`);
    const node = storage.get({ resource: 'nodes', namespace: '', name: nodeName })?.object as Node | undefined;
    const target = kubelets.target(node, nodeName);
    const params = new URLSearchParams();
    for (const k of PASSED_PARAMS) {
      if (typeof q[k] !== 'string') continue;
      // The agent reads only `true`; a client's `True` (the Python client) means the same to the apiserver.
      params.set(k, BOOL_PARAMS.includes(k) ? String(queryBool(q[k] as string)) : q[k] as string);
    }
    const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${params}`;
    reply.hijack();
    const get = target.base.startsWith('https:') ? https.get : http.get;
    const fail = (message: string) => {
      if (reply.raw.headersSent) { reply.raw.destroy(); return; }
      const st = errors.serviceUnavailable(`unable to fetch logs from node ${nodeName}: ${message}`).status;
      reply.raw.writeHead(503, { 'Content-Type': 'application/json' });
      reply.raw.end(JSON.stringify(st));
    };
    const upstream = get(`${target.base}${path}`, { headers: target.headers, ...target.tls }, (res) => {
      if (!target.verify(res.headers)) { res.destroy(); fail('the agent did not prove who it is'); return; }
      reply.raw.writeHead(res.statusCode ?? 502, { 'Content-Type': res.headers['content-type'] ?? 'text/plain', 'Cache-Control': 'no-cache' });
      res.pipe(reply.raw);
    });
    upstream.setTimeout(10_000, () => { if (!reply.raw.headersSent) upstream.destroy(new Error('timed out connecting to the kubelet')); });
    upstream.on('error', (e) => fail(e.message));
    reply.raw.on('close', () => upstream.destroy());
    return reply;
  };
}
