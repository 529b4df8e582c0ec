// Bearer-token authentication against a static token map (k8s.io/apiserver pkg/authentication/request/bearertoken).
import type { TokenMap } from './token-file.ts';
import type { UserInfo } from './user-info.ts';

/**
 * The user an `Authorization` header proves, `null` when it offers no bearer token at all (missing, or another
 * scheme: the caller decides whether anonymous is acceptable), or `'invalid'` when it offers a token that is empty or
 * unknown (always a 401, even where anonymous requests are allowed: a client that sent credentials meant to use them).
 */
export function authenticate(authorizationHeader: string | undefined, tokens: TokenMap): UserInfo | null | 'invalid' {
  if (authorizationHeader === undefined) return null;
  const m = /^\s*(\S+)(?:\s+(.*))?$/.exec(authorizationHeader);
  if (!m || m[1].toLowerCase() !== 'bearer') return null;
  const token = (m[2] ?? '').trim();
  if (token === '') return 'invalid';
  return tokens.get(token) ?? 'invalid';
}
