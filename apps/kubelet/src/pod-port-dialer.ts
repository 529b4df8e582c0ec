// Connects to a port inside a pod's network, for port-forward: as the kubelet does, to localhost *inside* the pod's
// network namespace, so a server bound to 127.0.0.1 in the pod is reached too. Node cannot open a socket in
// another namespace, so a small relay (`nsenter --net=<netns> node -e …`) connects there and pipes the bytes
// through its stdio: one short-lived process per forwarded connection, which port-forward's rate affords. A pod on
// the host's network (hostNetwork, or a node without sandboxes) is dialled on the node's loopback directly.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { WRAPPER_ENV } from './container-wrapper.ts';

export interface PodPortTarget {
  /** The pod's network namespace file when it has one; undefined: it shares the node's network. */
  netns?: string;
}

const RELAY = `const s = require('net').connect(Number(process.argv[1]), '127.0.0.1');
s.on('error', (e) => { process.stderr.write(e.message); process.exit(1); });
process.stdin.pipe(s); s.pipe(process.stdout); s.on('close', () => process.exit(0));`;

/** A connection to `port` in the pod's network; errors arrive as the stream's 'error' event. */
export function dialPodPort(pod: PodPortTarget, port: number): Duplex {
  if (!pod.netns) return net.connect({ host: '127.0.0.1', port });
  const child = spawn('nsenter', [`--net=${pod.netns}`, '--', process.execPath, '-e', RELAY, String(port)], { env: { ...WRAPPER_ENV }, stdio: 'pipe' });
  const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  child.on('error', (err) => stream.destroy(err));
  child.on('exit', (code) => { if (code !== 0) stream.destroy(new Error(stderr.trim() || `the relay into the pod's network exited with ${code}`)); });
  stream.on('close', () => child.kill());
  return stream;
}
