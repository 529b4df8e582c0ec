// How the apiserver reaches a node's agent (pods/log, exec, attach, portforward), and only an agent it can
// authenticate (kube-apiserver's --kubelet-client-certificate/--kubelet-client-key/--kubelet-certificate-authority):
//   - TLS: HTTPS with the apiserver's client certificate; the agent's serving certificate must chain to the
//     cluster CA and name the node (DNS SAN = node name), so an address a node reports in its status cannot make
//     the apiserver talk to anything but that node's own agent;
//   - a shared token on a loopback cluster without TLS (--kubelet-auth-token): only loopback addresses are dialled,
//     and an answer is relayed only with the agent's proof of the token (@podling/client kubelet-link.ts).
// Without either, the apiserver does not talk to agents at all.
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { errors, type Node } from '@podling/api';
import { isValidKubeletProof, KUBELET_NONCE_HEADER, KUBELET_PROOF_HEADER, newNonce } from '@podling/client';
import { isLoopback } from '../auth/listen-policy.ts';

export interface KubeletCredentials {
  tls?: { cert: Buffer; key: Buffer; ca: Buffer };
  token?: string;
}

/** One request's worth of connection settings for a node's agent. */
export interface KubeletTarget {
  /** `http(s)://address:port` */
  base: string;
  headers: Record<string, string>;
  /** TLS options for https.request / new WebSocket (empty for plain HTTP). */
  tls: { cert?: Buffer; key?: Buffer; ca?: Buffer; servername?: string; rejectUnauthorized?: boolean; checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined };
  /** Whether the agent's response headers prove it is the agent (always true with TLS: the handshake did). */
  verify(headers: IncomingHttpHeaders): boolean;
}

export class KubeletClient {
  constructor(private readonly creds: KubeletCredentials) {}

  get configured(): boolean { return !!(this.creds.tls || this.creds.token); }

  /** Throws a 503 Status when the node's agent cannot be reached safely. */
  target(node: Node | undefined, nodeName: string): KubeletTarget {
    const port = node?.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    const address = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address
      ?? node?.status?.addresses?.find((a) => a.type === 'Hostname')?.address;
    if (!node || !port || !address) throw errors.serviceUnavailable(`node ${JSON.stringify(nodeName)} has no kubelet endpoint`);
    const host = address.includes(':') ? `[${address}]` : address;
    const { tls, token } = this.creds;
    if (tls) {
      return {
        base: `https://${host}:${port}`, headers: {},
        tls: {
          cert: tls.cert, key: tls.key, ca: tls.ca, rejectUnauthorized: true,
          // SNI must be a host name; the check below is what matters.
          ...(isIP(nodeName) ? {} : { servername: nodeName }),
          checkServerIdentity: (_host, cert) => checkServerIdentity(nodeName, cert),
        },
        verify: () => true,
      };
    }
    if (token) {
      if (!isIP(address) || !isLoopback(address)) {
        throw errors.serviceUnavailable(`node ${JSON.stringify(nodeName)} reports the address ${address}: without TLS (--kubelet-client-certificate) the apiserver only talks to agents on loopback addresses`);
      }
      const nonce = newNonce();
      return {
        base: `http://${host}:${port}`, tls: {},
        headers: { authorization: `Bearer ${token}`, [KUBELET_NONCE_HEADER]: nonce },
        verify: (h) => isValidKubeletProof(token, nonce, h[KUBELET_PROOF_HEADER]),
      };
    }
    throw errors.serviceUnavailable('the apiserver has no credentials for agents: start it with --kubelet-client-certificate/--kubelet-client-key/--kubelet-certificate-authority or --kubelet-auth-token');
  }
}
