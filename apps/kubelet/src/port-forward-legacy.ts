// Port-forward in the websocket protocol the kubelet speaks to clients such as @kubernetes/client-node
// (kubelet pkg/cri/streaming/portforward/websocket.go; v4.channel.k8s.io): for the i-th requested port, channel 2i
// carries data both ways and 2i+1 errors from the server; the first frame the server sends on each of them is the
// port, 2 bytes little-endian. One websocket is one connection per port; when the pod side closes, so does the
// websocket.
import type { WebSocket } from 'ws';
import { dialPodPort, type PodPortTarget } from './pod-port-dialer.ts';
import { frame } from './stream-channels.ts';

export function runLegacyPortForward(ws: WebSocket, pod: PodPortTarget, ports: number[]): void {
  const sockets = ports.map((port, i) => {
    const le = Buffer.alloc(2);
    le.writeUInt16LE(port);
    ws.send(frame(2 * i, le));
    ws.send(frame(2 * i + 1, le));
    const socket = dialPodPort(pod, port);
    socket.on('data', (d: Buffer) => { if (ws.readyState === ws.OPEN) ws.send(frame(2 * i, d)); });
    socket.on('error', (err) => {
      if (ws.readyState === ws.OPEN) ws.send(frame(2 * i + 1, `error forwarding port ${port} to pod: ${err.message}`), () => ws.close(1000));
    });
    socket.on('close', () => { if (ws.readyState === ws.OPEN) ws.close(1000); });
    return socket;
  });
  ws.on('message', (data: Buffer) => {
    const ch = data[0];
    if (data.length < 2 || ch % 2 !== 0 || ch / 2 >= sockets.length) return;
    sockets[ch / 2].write(data.subarray(1));
  });
  ws.on('close', () => { for (const s of sockets) s.destroy(); });
}
