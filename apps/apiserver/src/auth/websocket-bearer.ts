// The bearer token of a websocket request, carried as a subprotocol because browsers cannot set an Authorization
// header on a websocket: `base64url.bearer.authorization.k8s.io.<token, base64url without padding>`, as Kubernetes'
// ProtocolAuthenticator reads it (k8s.io/apiserver pkg/authentication/request/websocket/protocol.go). The token's
// protocol must come with at least one other, which the server echoes instead: the token is never echoed.

export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

export type ProtocolBearer =
  /** No token protocol offered: not this authenticator's business. */
  | null
  /** A token protocol that cannot be used; the request is a 401. */
  | { error: string }
  /** The token, and the offered protocols without it (to put back on the request once the token is accepted). */
  | { token: string; remaining: string[] };

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the token from a Sec-WebSocket-Protocol header (a list, possibly sent as several header lines). */
export function bearerFromProtocols(header: string | string[] | undefined): ProtocolBearer {
  if (header === undefined) return null;
  const offered = (Array.isArray(header) ? header : [header]).flatMap((h) => h.split(',')).map((p) => p.trim()).filter(Boolean);
  let token: string | undefined;
  const remaining: string[] = [];
  for (const p of offered) {
    if (!p.startsWith(BEARER_PROTOCOL_PREFIX)) { remaining.push(p); continue; }
    if (token !== undefined) return { error: 'multiple base64.bearer.authorization tokens specified' };
    const encoded = p.slice(BEARER_PROTOCOL_PREFIX.length);
    // Go's RawURLEncoding: the alphabet above, no padding, and no length that leaves a lone 6-bit group.
    if (!BASE64URL.test(encoded) || encoded.length % 4 === 1) return { error: 'invalid base64.bearer.authorization token encoding' };
    try {
      token = utf8.decode(Buffer.from(encoded, 'base64url'));
    } catch {
      return { error: 'invalid base64.bearer.authorization token' };
    }
  }
  if (token === undefined || token === '') return null;
  if (remaining.length === 0) return { error: 'missing additional subprotocol' };
  return { token, remaining };
}
