// kubectl 1.32's port-forward: a websocket (`SPDY/3.1+portforward.k8s.io` between kubectl and the apiserver,
// `portforward.k8s.io` on the agent link) whose binary messages, concatenated, are a SPDY/3.1 session (client-go
// tools/portforward/tunneling_connection.go; spdy-session.ts). For every local connection kubectl opens two streams
// with headers `streamType` (`error`, then `data`), `port` and `requestID` (kubelet
// pkg/cri/streaming/portforward/httpstream.go): the data stream is joined to a new TCP connection to the port in
// the pod's network; a failure is written on the error stream, which kubectl prints; both streams end when the pod
// side does (kubectl waits for the error stream's end before it closes the local connection).
import type { WebSocket } from 'ws';
import type { Logger } from './logger.ts';
import { dialPodPort, type PodPortTarget } from './pod-port-dialer.ts';
import { SpdySession, type SpdyStream } from './spdy-session.ts';

/** The agent link's subprotocol for the tunnelled session (`ws` refuses the '/' of kubectl's name). */
export const SPDY_PORTFORWARD_PROTOCOL = 'portforward.k8s.io';

interface Pair { error?: SpdyStream; data?: SpdyStream }

export function runSpdyPortForward(ws: WebSocket, net: PodPortTarget, log: Logger): void {
  const pairs = new Map<string, Pair>();
  const session = new SpdySession(
    (bytes) => { if (ws.readyState === ws.OPEN) ws.send(bytes); },
    (stream) => {
      const id = stream.headers.requestid ?? '';
      const pair = pairs.get(id) ?? {};
      pairs.set(id, pair);
      if (stream.headers.streamtype === 'error') { pair.error = stream; return; }
      if (stream.headers.streamtype !== 'data') { stream.write(Buffer.alloc(0), true); return; }
      pair.data = stream;
      forward(pair, Number(stream.headers.port), net, () => pairs.delete(id));
    },
    (why) => { log.debug({ why }, 'port-forward session ended'); if (ws.readyState === ws.OPEN) ws.close(1000); },
  );
  ws.on('message', (data: Buffer) => session.receive(data));
  ws.on('close', () => session.close('client went away'));
}

function forward(pair: Pair, port: number, net: PodPortTarget, done: () => void): void {
  const data = pair.data!;
  const end = (message?: string) => {
    if (message) pair.error?.write(Buffer.from(message));
    pair.error?.write(Buffer.alloc(0), true);
    data.write(Buffer.alloc(0), true);
    done();
  };
  if (!Number.isInteger(port) || port < 1 || port > 65535) { end(`invalid port ${JSON.stringify(String(port))}`); return; }
  const socket = dialPodPort(net, port);
  let failed = false;
  socket.on('data', (d: Buffer) => data.write(d));
  socket.on('error', (err) => { failed = true; end(`error forwarding port ${port} to pod: ${err.message}`); });
  socket.on('close', () => { if (!failed) end(); });
  data.onData = (d) => socket.write(d);
  data.onEnd = () => socket.end();
}
