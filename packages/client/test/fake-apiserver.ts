// A tiny in-memory pods apiserver on node:http for client tests: list, get, create, delete, a raw request log, and
// a watch that frames events the awkward way real networks do (lines split mid-UTF-8-character across chunks,
// blank heartbeat lines between events). Knobs let a test expire RVs, end streams, or stop and restart the server
// on the same port, so each informer behaviour can be provoked on demand.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '@podling/api';

export interface RecordedRequest { method: string; url: URL; headers: http.IncomingHttpHeaders; body: string }
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export class FakeApiserver {
  readonly requests: RecordedRequest[] = [];
  readonly objects = new Map<string, KubeObject>();
  private readonly history: { type: EventType; object: KubeObject; rv: number }[] = [];
  private readonly watchers = new Set<http.ServerResponse>();
  private server: http.Server | undefined;
  private rv = 100;
  port = 0;
  /** TCP connections accepted so far. */
  connections = 0;
  /** Watches from an RV below this get an ERROR 410 event (history compacted). */
  compactedBelow = 0;
  /** The next watch request gets this HTTP status and Status body instead of a stream. */
  nextWatchStatus: number | undefined;

  get url(): string { return `http://127.0.0.1:${this.port}`; }
  get currentRv(): number { return this.rv; }
  watchRequests(): URL[] { return this.requests.filter((r) => r.url.searchParams.get('watch') === 'true').map((r) => r.url); }
  openWatches(): number { return this.watchers.size; }

  async start(port = this.port): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', () => { this.connections++; });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Graceful: end every watch stream, then close. Abrupt: destroy sockets mid-stream. */
  async stop(mode: 'graceful' | 'abrupt' = 'graceful'): Promise<void> {
    if (mode === 'graceful') this.endWatches();
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server!.closeAllConnections();
    await closed;
    this.watchers.clear();
  }

  endWatches(): void {
    for (const w of this.watchers) w.end();
    this.watchers.clear();
  }

  upsert(name: string, extra: Record<string, unknown> = {}): KubeObject {
    const key = `default/${name}`;
    const type: EventType = this.objects.has(key) ? 'MODIFIED' : 'ADDED';
    const obj: KubeObject = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace: 'default', resourceVersion: String(++this.rv), annotations: { note: 'héllo ✓ — ünïcode' } },
      ...extra,
    };
    this.objects.set(key, obj);
    this.record(type, obj);
    return obj;
  }

  remove(name: string): void {
    const key = `default/${name}`;
    const old = this.objects.get(key);
    if (!old) throw new Error(`no such pod ${name}`);
    this.objects.delete(key);
    this.record('DELETED', { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rv) } });
  }

  /** Sends an event as-is to every open watch (e.g. a duplicate), without storing it. */
  broadcastRaw(ev: unknown): void {
    for (const w of this.watchers) writeFramed(w, ev);
  }

  private record(type: EventType, object: KubeObject): void {
    const ev = { type, object, rv: this.rv };
    this.history.push(ev);
    for (const w of this.watchers) writeFramed(w, { type, object });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const url = new URL(req.url!, this.url);
      this.requests.push({ method: req.method!, url, headers: req.headers, body });
      const m = /^\/api\/v1\/namespaces\/default\/pods(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(url.pathname);
      if (!m) return sendStatus(res, 404, 'NotFound', `the server could not find the requested resource`);
      const [, name] = m;
      if (name === 'text500') { res.writeHead(500, { 'content-type': 'text/plain' }); return res.end('oops: database on fire'); }
      if (name === 'json400') return sendJson(res, 400, { hello: 'not a status' });
      if (req.method === 'GET' && !name && url.searchParams.get('watch') === 'true') return this.watch(url, res);
      if (req.method === 'GET' && !name) {
        return sendJson(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items: [...this.objects.values()] });
      }
      const obj = name ? this.objects.get(`default/${name}`) : undefined;
      if (req.method === 'GET') {
        return obj ? sendJson(res, 200, obj) : sendStatus(res, 404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
      }
      // Writes echo the request body so tests can inspect what the client sent.
      return sendJson(res, req.method === 'POST' ? 201 : 200, body ? JSON.parse(body) : {});
    });
  }

  private watch(url: URL, res: http.ServerResponse): void {
    if (this.nextWatchStatus) {
      const code = this.nextWatchStatus;
      this.nextWatchStatus = undefined;
      return sendStatus(res, code, code === 410 ? 'Expired' : 'InternalError', `watch refused with ${code}`);
    }
    const from = Number(url.searchParams.get('resourceVersion') || 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    if (from < this.compactedBelow) {
      writeFramed(res, { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', message: `too old resource version: ${from} (${this.compactedBelow})`, code: 410 } });
      res.end();
      return;
    }
    for (const ev of this.history) if (ev.rv > from) writeFramed(res, { type: ev.type, object: ev.object });
    this.watchers.add(res);
    res.on('close', () => this.watchers.delete(res));
  }
}

/** One event as three writes (the middle cut lands inside a multi-byte character) with a heartbeat after it. */
function writeFramed(res: http.ServerResponse, ev: unknown): void {
  const bytes = Buffer.from(JSON.stringify(ev) + '\n', 'utf8');
  const accent = bytes.indexOf(Buffer.from('é'));
  const cut = accent > 0 ? accent + 1 : Math.floor(bytes.length / 2);
  res.write(bytes.subarray(0, cut));
  res.write(bytes.subarray(cut, cut + 7));
  res.write(bytes.subarray(cut + 7));
  res.write('\n');
}

function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendStatus(res: http.ServerResponse, code: number, reason: string, message: string, details?: object): void {
  sendJson(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}
