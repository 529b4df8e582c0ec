// pods/{name}/exec, attach and portforward (GET and POST): checked like kube-apiserver checks them (the pod, its
// node, the container), then upgraded to a websocket and relayed frame for frame to the pod's agent, which speaks
// the same protocols (kubelet-client.ts says how the agent is reached and authenticated). Authorization happened
// before (auth hooks: `create` on pods/exec etc., whatever the method, as kube-apiserver 1.35 requires).
//
//   client offers             apiserver answers with     agent link
//   v5.channel.k8s.io         v5.channel.k8s.io          same protocol, frames relayed unchanged (incl. [255,0])
//   v4.channel.k8s.io         v4.channel.k8s.io          same
//   SPDY/3.1+portforward…     SPDY/3.1+portforward…      `portforward.k8s.io`: the tunnelled SPDY bytes, relayed
//   Upgrade: SPDY/3.1         400 Status                 (kubectl prints it; websockets are kubectl's default)
//
// The agent writes the final Status on channel 3 and closes; the apiserver then closes the client with 1000. An
// agent that cannot be reached or refuses becomes an InternalError Status on channel 3, as in kube.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocket } from 'ws';
import { errors, type Node, type Pod } from '@podling/api';
import type { Storage } from '@podling/store';
import type { Query } from '../http/query.ts';
import type { KubeletClient } from '../kubelet/kubelet-client.ts';
import { pickContainer } from '../kubelet/pick-container.ts';

const SUBRESOURCES = ['exec', 'attach', 'portforward'] as const;
type Sub = (typeof SUBRESOURCES)[number];
const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
export const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
/** The agent link's name for the tunnelled SPDY session (`ws` refuses '/' in a subprotocol). */
const AGENT_TUNNEL_PROTOCOL = 'portforward.k8s.io';
const STREAM_PATH = /^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/(exec|attach|portforward)\/?(\?|$)/;
const TUNNEL = Symbol('spdy-tunnel');

interface Planned { sub: Sub; agentPath: string; nodeName: string; node: Node | undefined; tunnel: boolean }
type StreamRequest = FastifyRequest<{ Params: { namespace: string; name: string } }> & { stream?: Planned };

export function isStreamPath(url: string | undefined): boolean {
  return STREAM_PATH.test(url ?? '');
}

/** handleProtocols for the websocket plugin: the streaming protocols on these paths, else the client's first. */
export function selectProtocol(offered: Set<string>, req: IncomingMessage): string | false {
  const m = STREAM_PATH.exec(req.url ?? '');
  if (!m) return offered.values().next().value ?? false;
  const wanted = m[1] === 'portforward' ? ['v4.channel.k8s.io'] : EXEC_PROTOCOLS;
  return wanted.find((p) => offered.has(p)) ?? false;
}

export function registerPodStreams(app: FastifyInstance, deps: { storage: Storage; kubelets: KubeletClient }): void {
  // kubectl's port-forward protocol has a '/' that `ws` refuses as a token: it is removed from the request in
  // preHandler (plan) and put back into the 101 answer here.
  app.websocketServer.on('headers', (headers: string[], req: IncomingMessage & { [TUNNEL]?: boolean }) => {
    if (req[TUNNEL]) headers.push(`Sec-WebSocket-Protocol: ${SPDY_TUNNEL_PROTOCOL}`);
  });
  for (const sub of SUBRESOURCES) {
    const url = `/api/v1/namespaces/:namespace/pods/:name/${sub}`;
    // Refusals happen here, before the handler: the websocket plugin would otherwise try to upgrade any request that
    // carries an Upgrade header (and answer a SPDY POST with an HTML 405).
    const preHandler = async (req: StreamRequest) => {
      req.stream = plan(req, sub, deps.storage);
      if (!req.ws || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw notUpgraded(req);
    };
    const refuse = async (req: FastifyRequest, _reply: FastifyReply) => { throw notUpgraded(req); };
    app.route({ method: 'GET', url, preHandler, handler: refuse, wsHandler: (ws: WebSocket, req: StreamRequest) => relay(ws, req.stream!, deps.kubelets) } as never);
    app.route({ method: 'POST', url, preHandler, handler: refuse } as never);
  }
}

function plan(req: StreamRequest, sub: Sub, storage: Storage): Planned {
  const { namespace, name } = req.params;
  const q = req.query as Query;
  const pod = storage.get({ resource: 'pods', namespace, name })?.object as Pod | undefined;
  if (!pod) throw errors.notFound('pods', name);
  const nodeName = pod.spec.nodeName;
  const list = (k: string) => (Array.isArray(q[k]) ? (q[k] as string[]) : typeof q[k] === 'string' ? [q[k] as string] : []);
  const flag = (k: string) => ['true', '1'].includes(String(list(k)[0] ?? ''));
  const seg = encodeURIComponent;
  let agentPath: string;
  if (sub === 'portforward') {
    const ports = list('ports').flatMap((p) => p.split(','));
    if (ports.some((p) => !/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535)) throw errors.badRequest('invalid port: ports must be between 1 and 65535');
    agentPath = `/portForward/${seg(namespace)}/${seg(name)}${ports.length ? `?port=${ports.join(',')}` : ''}`;
  } else {
    const container = pickContainer(pod, list('container')[0]);
    const params = new URLSearchParams();
    if (sub === 'exec') {
      const command = list('command');
      if (command.length === 0) throw errors.badRequest('you must specify at least 1 command');
      for (const c of command) params.append('command', c);
    }
    for (const [k, v] of [['stdin', 'input'], ['stdout', 'output'], ['stderr', 'error'], ['tty', 'tty']]) if (flag(k)) params.set(v, '1');
    if (!flag('stdin') && !flag('stdout') && !flag('stderr')) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
    agentPath = `/${sub}/${seg(namespace)}/${seg(name)}/${seg(container)}?${params}`;
  }
  if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
  const node = storage.get({ resource: 'nodes', namespace: '', name: nodeName })?.object as Node | undefined;
  const raw = req.raw as IncomingMessage & { [TUNNEL]?: boolean };
  const offered = String(raw.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  const tunnel = sub === 'portforward' && req.ws && offered.includes(SPDY_TUNNEL_PROTOCOL);
  if (tunnel) { delete raw.headers['sec-websocket-protocol']; raw[TUNNEL] = true; }
  return { sub, agentPath, nodeName, node, tunnel };
}

/** A plain request, or a SPDY upgrade, after every check passed: only websockets are served. */
function notUpgraded(req: FastifyRequest) {
  const upgrade = req.headers.upgrade;
  if (!upgrade) return errors.badRequest('Upgrade request required');
  return errors.badRequest(`Upgrade to ${upgrade} is not supported by Podling: exec, attach and port-forward use websockets ` +
    '(kubectl 1.31+ does by default; do not set KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false or KUBECTL_PORT_FORWARD_WEBSOCKETS=false)');
}

function relay(client: WebSocket, p: Planned, kubelets: KubeletClient): void {
  let failed = false;
  const fail = (message: string) => {
    if (failed || client.readyState !== client.OPEN) return;
    failed = true;
    if (p.tunnel) { client.close(1011, message.slice(0, 120)); return; }
    const status = errors.internal(message).status;
    const body = JSON.stringify({ metadata: {}, status: 'Failure', message: status.message, reason: status.reason, details: status.details, code: 500 });
    client.send(Buffer.concat([Buffer.from([3]), Buffer.from(body)]), () => client.close(1000));
  };
  let agent: WebSocket;
  try {
    const target = kubelets.target(p.node, p.nodeName);
    const protocol = p.tunnel ? AGENT_TUNNEL_PROTOCOL : client.protocol;
    agent = new WebSocket(`${target.base.replace(/^http/, 'ws')}${p.agentPath}`, [protocol], {
      headers: target.headers, ...target.tls, maxPayload: 1024 * 1024, handshakeTimeout: 10_000,
    });
    agent.on('upgrade', (res) => { if (!target.verify(res.headers)) { agent.terminate(); fail('error dialing backend: the agent did not prove who it is'); } });
  } catch (err) {
    fail((err as Error).message);
    return;
  }
  const queued: [Buffer, boolean][] = [];
  client.on('message', (data: Buffer, isBinary: boolean) => {
    if (agent.readyState === agent.OPEN) agent.send(data, { binary: isBinary });
    else queued.push([data, isBinary]);
  });
  agent.on('open', () => { for (const [d, b] of queued.splice(0)) agent.send(d, { binary: b }); });
  agent.on('message', (data: Buffer, isBinary: boolean) => { if (client.readyState === client.OPEN) client.send(data, { binary: isBinary }); });
  agent.on('unexpected-response', (_req, res) => {
    let body = '';
    res.on('data', (d: Buffer) => { if (body.length < 1024) body += d.toString(); });
    res.on('end', () => { fail(`unable to upgrade connection: ${body.trim() || `HTTP ${res.statusCode}`}`); agent.terminate(); });
  });
  agent.on('error', (err) => fail(`error dialing backend: ${err.message}`));
  agent.on('close', (code) => { if (!failed && client.readyState === client.OPEN) client.close(code === 1000 ? 1000 : 1011); });
  client.on('close', () => { if (agent.readyState === agent.OPEN || agent.readyState === agent.CONNECTING) agent.terminate(); });
  client.on('error', () => client.terminate());
}
