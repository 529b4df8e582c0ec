// The same-run baseline for bench/watch-fanout.ts and bench/list.ts: bare fastify serving a watch the cheapest known
// way — no validation, no storage, no filtering. POST stamps a name and resourceVersion into the pod, keeps
// its JSON text in memory, serializes the watch event once and writes it to every watcher (chunked HTTP:
// newline-delimited; websocket: one message). GET lists by concatenating the kept texts.
// Usage: node --import tsx bench/bare-watch-server.ts [--port 0]   (logs {"msg":"listening","url":…})
import type { ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import fastify from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

const app = fastify({ logger: false, bodyLimit: 3 * 1024 * 1024 });
await app.register(websocket);
const pods = new Map<string, string>();
const httpWatchers = new Set<ServerResponse>();
const wsWatchers = new Set<WebSocket>();
let rv = 1;
let generated = 0;

app.get('/readyz', async () => 'ok');

app.post<{ Params: { ns: string }; Body: { metadata: Record<string, unknown> } }>('/api/v1/namespaces/:ns/pods', async (req, reply) => {
  const pod = req.body;
  pod.metadata.name ??= `${pod.metadata.generateName ?? 'pod-'}${(generated++).toString(36)}`;
  pod.metadata.namespace = req.params.ns;
  pod.metadata.resourceVersion = String(++rv);
  const json = JSON.stringify(pod);
  pods.set(`${req.params.ns}/${pod.metadata.name as string}`, json);
  const event = `{"type":"ADDED","object":${json}}`;
  const line = event + '\n';
  for (const res of httpWatchers) res.write(line);
  for (const ws of wsWatchers) ws.send(event);
  return reply.code(201).type('application/json').send(json);
});

app.route<{ Querystring: { watch?: string } }>({
  method: 'GET',
  url: '/api/v1/pods',
  handler: (req, reply) => {
    if (req.query.watch !== 'true' && req.query.watch !== '1') {
      const list = `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"${rv}"},"items":[${[...pods.values()].join(',')}]}`;
      return reply.type('application/json').send(list);
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    httpWatchers.add(res);
    res.on('close', () => httpWatchers.delete(res));
  },
  wsHandler: (socket) => {
    wsWatchers.add(socket);
    socket.on('close', () => wsWatchers.delete(socket));
  },
});

const url = await app.listen({ host: '127.0.0.1', port: Number(values.port) });
process.stdout.write(JSON.stringify({ msg: 'listening', url }) + '\n');
const stop = () => {
  for (const res of httpWatchers) res.end();
  void app.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
