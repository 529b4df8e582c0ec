// tcpSocket probes (k/k pkg/probe/tcp/tcp.go): a TCP connect within the timeout, then close. Failures carry Go's
// dial error text, which users know from `kubectl describe pod` (`dial tcp 10.0.0.5:8080: connect: connection
// refused`). The same wording serves httpGet's transport errors.
import net from 'node:net';
import type { ActionResult } from './probe-action.ts';

const SYSCALL_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ECONNRESET: 'read: connection reset by peer',
  EADDRNOTAVAIL: 'connect: cannot assign requested address',
};

/** Go's net.OpError text for a failed dial to host:port. */
export function dialErrorText(err: NodeJS.ErrnoException, host: string, port: number): string {
  const addr = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `dial tcp: lookup ${host}: no such host`;
  if (err.code === 'ETIMEDOUT') return `dial tcp ${addr}: i/o timeout`;
  return `dial tcp ${addr}: ${SYSCALL_TEXT[err.code ?? ''] ?? err.message}`;
}

export function tcpSocketAction(host: string, port: number, timeoutMs: number): Promise<ActionResult> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (r: ActionResult) => { clearTimeout(timer); sock.destroy(); resolve(r); };
    const timer = setTimeout(() => done({ result: 'failure', output: dialErrorText(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }), host, port) }), timeoutMs);
    sock.once('connect', () => done({ result: 'success', output: '' }));
    sock.once('error', (err: NodeJS.ErrnoException) => done({ result: 'failure', output: dialErrorText(err, host, port) }));
  });
}
