// Who may use the agent's port: only the apiserver. The kubelet authenticates its callers (and Podling has one
// caller), either way the apiserver can prove itself:
//   - TLS (--tls-cert-file, --tls-private-key-file, --client-ca-file): the server asks for a client certificate,
//     and only one issued by the cluster CA with the apiserver's kubelet-client name passes
//     (kube-apiserver --kubelet-client-certificate; CN kube-apiserver-kubelet-client, as kubeadm names it);
//   - a shared token (--kubelet-auth-token) on a loopback-only cluster without TLS: `Authorization: Bearer <token>`.
//     The agent also answers with a proof of knowing the token (@podling/client kubelet-link.ts), so the apiserver
//     never relays what some other listener answered.
// An agent with neither refuses every request but /healthz: it fails closed rather than serve logs or run commands
// for whoever reaches its port.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { KUBELET_NONCE_HEADER, KUBELET_PROOF_HEADER, kubeletProof } from '@podling/client';

/** The client certificate's CN the apiserver presents (kubeadm's apiserver-kubelet-client certificate). */
export const APISERVER_CLIENT_CN = 'kube-apiserver-kubelet-client';

export interface KubeletAuthConfig {
  /** Shared token of a loopback cluster without TLS. */
  token?: string;
  /** Whether the server is TLS with a client CA (then the certificate decides). */
  clientCA: boolean;
}

/** Whether `req` comes from the apiserver. */
export function isApiserver(req: IncomingMessage, cfg: KubeletAuthConfig): boolean {
  if (cfg.clientCA) {
    const socket = req.socket as TLSSocket;
    if (!socket.authorized) return false;
    const cn = socket.getPeerCertificate?.()?.subject?.CN;
    return cn === APISERVER_CLIENT_CN;
  }
  if (!cfg.token) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]);
  const want = Buffer.from(cfg.token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** Response headers that prove this agent knows the token (none in TLS mode: the certificate proves it). */
export function proofHeaders(req: IncomingMessage, cfg: KubeletAuthConfig): Record<string, string> {
  const nonce = req.headers[KUBELET_NONCE_HEADER];
  if (cfg.clientCA || !cfg.token || typeof nonce !== 'string' || nonce === '') return {};
  return { [KUBELET_PROOF_HEADER]: kubeletProof(cfg.token, nonce) };
}
