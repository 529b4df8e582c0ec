// The apiservers a client may talk to, in order: `--server https://a:6443,https://b:6443`. Every apiserver of one
// cluster serves the same objects with the same resourceVersions (they share one store), so a client sticks to one
// until it stops answering and then moves to the next; an informer resumes its watch there from the RV it had.
// client-go takes one URL and leaves this to a load balancer; Podling's agents and controllers take the list so a
// small HA cluster needs none.

/** Transport failures that mean "this apiserver is not answering": connect refused or timed out, the connection
 *  reset or closed under a request, no answer or a silent stream for too long, a host or network unreachable. */
const UNREACHABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);
/** The subset that proves the request never reached the server, so even a POST may be sent to the next one. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** The error's code, or its cause's (fetch wraps the socket error in a TypeError); undefined when neither has one. */
function codeOf(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

export function isUnreachable(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && UNREACHABLE.has(code);
}

/** Splits a comma-separated server flag into trimmed, non-empty URLs without trailing slashes. */
export function parseServers(server: string): string[] {
  return server.split(',').map((s) => s.trim().replace(/\/+$/, '')).filter((s) => s !== '');
}

/** Problems with a `--server` value, one sentence each ([] when every entry is an http(s) URL). */
export function serverListProblems(flag: string, server: string): string[] {
  const urls = parseServers(server);
  if (urls.length === 0) return [`${flag}: needs at least one URL`];
  const problems: string[] = [];
  for (const u of urls) {
    let url: URL | undefined;
    try { url = new URL(u); } catch { problems.push(`${flag}: ${JSON.stringify(u)} is not a URL`); continue; }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`${flag}: ${JSON.stringify(u)} is not an http:// or https:// URL`);
  }
  return problems;
}

export class ServerList {
  readonly urls: string[];
  private current = 0;

  constructor(server: string) {
    this.urls = parseServers(server);
    if (this.urls.length === 0) throw new Error(`no apiserver URL in ${JSON.stringify(server)}`);
  }

  /** The apiserver requests go to now. */
  get base(): string { return this.urls[this.current]; }

  /**
   * Runs `attempt` against the current apiserver. When that one does not answer, the list moves on (once, however
   * many requests failed on it at the same moment) and the attempt is repeated on the next one while the failure
   * proves the request was never sent or `idempotent` says sending it twice is harmless; every apiserver is tried
   * at most once. Otherwise the error is thrown (the caller's own retry then reaches the next apiserver).
   */
  async run<T>(idempotent: boolean, attempt: (base: string) => Promise<T>): Promise<T> {
    for (let tried = 1; ; tried++) {
      const index = this.current;
      try {
        return await attempt(this.urls[index]);
      } catch (err) {
        const code = codeOf(err);
        if (code === undefined || !UNREACHABLE.has(code) || this.urls.length === 1) throw err;
        if (this.current === index) this.current = (index + 1) % this.urls.length;
        if (tried >= this.urls.length || !(idempotent || NEVER_SENT.has(code))) throw err;
      }
    }
  }

  /** For a stream that broke after it started: later requests go to the next apiserver. */
  failed(base: string, err: unknown): void {
    if (this.urls.length > 1 && isUnreachable(err) && this.urls[this.current] === base) this.current = (this.current + 1) % this.urls.length;
  }
}
