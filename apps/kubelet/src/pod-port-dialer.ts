// Connects to a port inside a pod's network, for port-forward. Pods share the node's network today, so that is the
// node's loopback; once a pod has its own network namespace, this is the one place that must enter it (a
// connection made from inside `nsenter --net`, e.g. through a helper that passes the socket back).
import net from 'node:net';

export interface PodNetwork {
  /** Pid of a process in the pod's network namespace (a container wrapper), when the pod has its own. */
  netnsPid?: number;
}

/** A TCP connection to `port` in the pod's network; errors arrive as the socket's 'error' event. */
export function dialPodPort(_pod: PodNetwork, port: number): net.Socket {
  return net.connect({ host: '127.0.0.1', port });
}
