// The apiserver → agent link on a loopback cluster without TLS: the apiserver sends the shared token as a bearer
// token with a fresh nonce, and the agent answers with an HMAC of that nonce under the token. The apiserver relays
// an agent's answer only with a valid proof, so a node that reports another address cannot make it relay what
// some other listener says. (With TLS, certificates from the cluster CA do both jobs instead.)
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const KUBELET_NONCE_HEADER = 'x-podling-nonce';
export const KUBELET_PROOF_HEADER = 'x-podling-agent-proof';

/** HMAC-SHA256 of `nonce` under `token`, hex. */
export function kubeletProof(token: string, nonce: string): string {
  return createHmac('sha256', token).update(nonce).digest('hex');
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** Whether a response header value is the proof for `nonce`. */
export function isValidKubeletProof(token: string, nonce: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const want = Buffer.from(kubeletProof(token, nonce));
  const got = Buffer.from(header);
  return got.length === want.length && timingSafeEqual(got, want);
}
