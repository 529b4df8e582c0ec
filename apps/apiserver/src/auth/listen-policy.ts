// Whether the apiserver may listen where it was asked to with the credentials it was given. Without a token file
// every client is an administrator (auth-hook.ts), which is only acceptable where no other machine can connect.
import { isIP } from 'node:net';

export interface ListenPolicyInput {
  /** The --address the server binds to ('' or '0.0.0.0' or '::' mean every interface). */
  address: string;
  tokenFile?: string;
  insecureAllowAnonymous: boolean;
  /** Whether TLS is configured; when known, a token file without TLS earns a warning. */
  tls?: boolean;
}

export type ListenPolicy = { ok: true; warn?: string } | { ok: false; message: string };

export function checkListenPolicy(input: ListenPolicyInput): ListenPolicy {
  const { address, tokenFile, insecureAllowAnonymous, tls } = input;
  const where = address === '' ? 'every interface' : address;
  if (tokenFile) {
    if (tls === false && !isLoopback(address)) {
      return { ok: true, warn: `serving bearer tokens over plain HTTP on ${where}: anyone on the network can read them, and kubectl sends no token to http:// servers; use --tls-cert-file and --tls-private-key-file` };
    }
    return { ok: true };
  }
  if (isLoopback(address)) return { ok: true };
  if (insecureAllowAnonymous) {
    return { ok: true, warn: `INSECURE: listening on ${where} without --token-auth-file: anyone who can reach this port has full control of the cluster (--insecure-allow-anonymous)` };
  }
  return {
    ok: false,
    message: `refusing to listen on ${where} without authentication: every client would be a cluster administrator. ` +
      'Pass --token-auth-file (see --generate-certs), listen on 127.0.0.1, or accept the risk with --insecure-allow-anonymous',
  };
}

/** True only for addresses that accept connections from this machine alone. */
export function isLoopback(address: string): boolean {
  const a = address.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (a === 'localhost') return true;
  if (isIP(a) === 4) return a.startsWith('127.');
  if (isIP(a) === 6) {
    if (a === '::1' || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(a)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    return mapped !== null && mapped[1].startsWith('127.');
  }
  return false;
}
