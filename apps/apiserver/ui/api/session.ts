// The browser session's credentials: the bearer token the user typed, kept in sessionStorage (gone when the tab
// closes), and who wants to know when the server refuses it.

const KEY = 'podling.token';
const listeners = new Set<(refused: boolean) => void>();

export const session = {
  token(): string { return sessionStorage.getItem(KEY) ?? ''; },
  setToken(token: string): void { sessionStorage.setItem(KEY, token); },
  clear(): void { sessionStorage.removeItem(KEY); },
  /** Called on any 401: the prompt shows, saying whether a token was sent and refused. */
  unauthorized(): void { for (const l of listeners) l(session.token() !== ''); },
  onUnauthorized(fn: (refused: boolean) => void): () => void { listeners.add(fn); return () => listeners.delete(fn); },
};

/** Kubernetes' websocket bearer subprotocol (base64url, no padding) and the protocol the server echoes instead. */
export function watchProtocols(): string[] {
  const token = session.token();
  if (!token) return [];
  const bytes = new TextEncoder().encode(token);
  const b64 = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return [`base64url.bearer.authorization.k8s.io.${b64}`, 'podling.watch'];
}
