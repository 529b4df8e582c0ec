// The HTTP client for Podling's (and a real Kubernetes) core/v1 API: typed verbs over one `request()`, and
// `watch()` streaming newline-delimited events. Every non-2xx becomes a StatusError here; nothing above this file
// looks at HTTP codes or bodies. Network failures are left as ordinary Errors, so callers can tell them apart.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch, request as undiciRequest, type Dispatcher } from 'undici';
import type { DeleteOptions, KubeObject, List, Status } from '@podling/api';
import type {
  ClientOptions, KubeClientApi, ListQuery, PatchType, ResourceRef, WatchEventOf, WatchQuery, WatchStream,
} from './types.ts';
import { resourcePath } from './resource-path.ts';
import { statusErrorFromResponse } from './status-from-response.ts';
import { NdjsonSplitter } from './ndjson-lines.ts';
import { timerDelay } from './timer-delay.ts';
import { ServerList } from './server-list.ts';
import { RequestSlots } from './request-slots.ts';

type Query = Record<string, string | number | boolean | undefined>;
export interface RequestOptions {
  body?: unknown; contentType?: string; query?: Query; accept?: string; signal?: AbortSignal;
  /** Where the request goes instead of the client's pool of short requests (watches). */
  dispatcher?: Dispatcher;
}

/**
 * Watches hold their connection for minutes. Among the short requests' connections each one is a busy connection
 * that undici's pool walks past, in order, to find a free one for every request: a process of a thousand hollow
 * nodes, all on the shared default pool, spent ~8% of its CPU in that walk. So watches get a pool of their own
 * (shared by the process's clients, as the default one is), and short requests only ever walk short requests.
 */
let sharedWatchAgent: Agent | undefined;

/**
 * An apiserver over its in-flight caps answers 429 with Retry-After; client-go's rest.Request waits that long and
 * tries again, up to 10 times (maxRetries), before it reports the error. The typed verbs do the same: their bodies
 * are strings, so a request can be sent again as it was.
 */
const MAX_429_RETRIES = 10;

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v) * 1000;
}

const patchContentType: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/**
 * Objects go to `ref.namespace`, falling back to `obj.metadata.namespace` for create/update, so a namespaced
 * object can be written with just `{ resource: 'pods' }`.
 */
export class KubeClient implements KubeClientApi {
  private readonly servers: ServerList;
  private readonly dispatcher: Dispatcher | undefined;
  /** Own agent (with this client's options) or the process's shared watch pool. */
  private readonly watchDispatcher: Agent;
  private readonly slots: RequestSlots | undefined;

  constructor(private readonly opts: ClientOptions) {
    this.slots = opts.maxRequestsInFlight === undefined ? undefined : new RequestSlots(opts.maxRequestsInFlight);
    this.servers = new ServerList(opts.server);
    const https = this.servers.urls.some((u) => u.startsWith('https:'));
    const tls = https && (opts.ca || opts.insecureSkipTLSVerify) ? { ca: opts.ca, rejectUnauthorized: !opts.insecureSkipTLSVerify } : undefined;
    // With somewhere else to go, an apiserver that holds a request without answering (stopped, or its machine gone
    // silent) must count as not answering well before undici's 5-minute defaults. A watch gets a heartbeat at
    // least every 15 s from a Podling apiserver, so a body silent for four stalls is a dead stream.
    const stall = this.servers.urls.length > 1 ? opts.stallTimeoutMs ?? 30_000 : undefined;
    const options = { ...(tls ? { connect: tls } : {}), ...(stall ? { headersTimeout: stall, bodyTimeout: 4 * stall, connectTimeout: stall } : {}) };
    // A bounded client gets as many connections as slots: a slot is handed on when a body has been read, a moment
    // before undici has its socket back, so on a shared pool the next call opened another connection (the controller
    // manager held twice its bound).
    const bound = opts.maxRequestsInFlight;
    this.dispatcher = tls || stall || bound !== undefined ? new Agent({ ...options, ...(bound !== undefined ? { connections: bound } : {}) }) : undefined;
    this.watchDispatcher = tls || stall ? new Agent(options) : (sharedWatchAgent ??= new Agent());
  }

  async get<T extends KubeObject>(ref: ResourceRef, name: string): Promise<T> {
    return this.json<T>('GET', resourcePath(ref, name));
  }

  async list<T extends KubeObject>(ref: ResourceRef, query: ListQuery = {}): Promise<List<T>> {
    return this.json<List<T>>('GET', resourcePath(ref), { query: { ...query } });
  }

  async create<T extends KubeObject>(ref: ResourceRef, obj: T): Promise<T> {
    return this.json<T>('POST', resourcePath(withNamespace(ref, obj)), { body: obj });
  }

  async update<T extends KubeObject>(ref: ResourceRef, obj: T): Promise<T> {
    return this.json<T>('PUT', resourcePath(withNamespace(ref, obj), nameOf(obj)), { body: obj });
  }

  async updateStatus<T extends KubeObject>(ref: ResourceRef, obj: T): Promise<T> {
    return this.json<T>('PUT', resourcePath(withNamespace(ref, obj), nameOf(obj), 'status'), { body: obj });
  }

  async patch<T extends KubeObject>(ref: ResourceRef, name: string, patch: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.json<T>('PATCH', resourcePath(ref, name), this.patchOptions(patch, type));
  }

  async patchStatus<T extends KubeObject>(ref: ResourceRef, name: string, patch: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.json<T>('PATCH', resourcePath(ref, name, 'status'), this.patchOptions(patch, type));
  }

  async delete<T extends KubeObject>(ref: ResourceRef, name: string, options: DeleteOptions = {}): Promise<T | Status> {
    return this.json<T | Status>('DELETE', resourcePath(ref, name), { body: options });
  }

  async bind(namespace: string, podName: string, nodeName: string): Promise<Status> {
    const binding = {
      apiVersion: 'v1', kind: 'Binding', metadata: { name: podName, namespace },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    return this.json<Status>('POST', resourcePath({ resource: 'pods', namespace }, podName, 'binding'), { body: binding });
  }

  /** Sends one request; resolves with the Response for 2xx, throws StatusError otherwise. For callers that want a
   *  fetch Response (text, streams); the typed verbs and watch() use the leaner undici.request underneath. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const res = await this.servers.run(idempotent(method), (base) => {
      const { url, headers, body } = this.prepare(base, path, opts);
      return fetch(url, { method, headers, body, signal: opts.signal, dispatcher: opts.dispatcher ?? this.dispatcher });
    });
    if (res.status < 200 || res.status > 299) throw await statusErrorFromResponse(res);
    // undici's Response is the implementation behind Node's global one; the declared types differ only nominally.
    return res as unknown as Response;
  }

  /** The same request through undici.request: no WHATWG Request/Response/stream objects, which were the largest
   *  per-request cost of an agent reporting pod statuses in a burst. The body is a Node stream. */
  private async send(method: string, path: string, opts: RequestOptions = {}): Promise<Dispatcher.ResponseData> {
    return this.servers.run(idempotent(method), (base) => this.sendTo(base, method, path, opts));
  }

  private async sendTo(base: string, method: string, path: string, opts: RequestOptions): Promise<Dispatcher.ResponseData> {
    const { url, headers, body } = this.prepare(base, path, opts);
    let res: Dispatcher.ResponseData;
    for (let attempt = 0; ; attempt++) {
      res = await undiciRequest(url, {
        method: method as Dispatcher.HttpMethod, headers, body, signal: opts.signal, dispatcher: opts.dispatcher ?? this.dispatcher,
        // undici closes the connection after a body on a method that "does not expect one", as a DELETE with
        // DeleteOptions, in case the server left it unread; the apiserver reads it (kube-apiserver decodes
        // DeleteOptions from DELETE bodies), so the connection is kept. Otherwise every delete cost a TCP connect and
        // close on both sides: ~10% of the agent's CPU while a node deletes its pods.
        ...(body !== undefined && method === 'DELETE' ? { reset: false } : {}),
      });
      const wait = res.statusCode === 429 && attempt < MAX_429_RETRIES ? retryAfterMs(res.headers['retry-after']) : undefined;
      if (wait === undefined) break;
      await res.body.dump();
      await sleep(timerDelay(wait), undefined, { signal: opts.signal });
    }
    if (res.statusCode < 200 || res.statusCode > 299) {
      throw await statusErrorFromResponse({
        status: res.statusCode, text: () => res.body.text(),
        headers: { get: (n) => { const v = res.headers[n]; return Array.isArray(v) ? v.join(', ') : v ?? null; } },
      });
    }
    return res;
  }

  private prepare(base: string, path: string, opts: RequestOptions): { url: URL; headers: Record<string, string>; body?: string | Uint8Array } {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (this.opts.userAgent) headers['user-agent'] = this.opts.userAgent;
    let body: string | Uint8Array | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      body = typeof opts.body === 'string' || opts.body instanceof Uint8Array ? opts.body : JSON.stringify(opts.body);
    }
    return { url, headers, body };
  }

  /**
   * GET `?watch=true&...` and deliver each event in order. A throw from `onEvent` stops the stream and rejects
   * `done` with that error; so does a malformed line. A non-200 answer rejects `done` with a StatusError.
   */
  watch<T extends KubeObject>(ref: ResourceRef, query: WatchQuery, onEvent: (ev: WatchEventOf<T>) => void): WatchStream {
    const abort = new AbortController();
    let stopped = false;
    const run = async (): Promise<void> => {
      const res = await this.send('GET', resourcePath(ref), {
        query: { ...query, watch: true }, signal: abort.signal, dispatcher: this.watchDispatcher,
      });
      const base = this.servers.base;
      const splitter = new NdjsonSplitter();
      const deliver = (v: unknown) => { if (!stopped) onEvent(v as WatchEventOf<T>); };
      try {
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          if (stopped) return;
          splitter.push(chunk, deliver);
        }
      } catch (err) {
        if (!stopped) this.servers.failed(base, err); // the apiserver went away under the stream
        throw err;
      }
      splitter.end(deliver);
    };
    const done = run().catch((err: unknown) => {
      if (stopped) return; // stop() aborts the fetch; that is the requested end, not a failure
      abort.abort();
      throw err;
    });
    return {
      done,
      stop() {
        if (stopped) return;
        stopped = true;
        abort.abort();
      },
    };
  }

  /** Releases pooled connections (agents of its own only; the default dispatchers are shared). */
  async close(): Promise<void> {
    await this.dispatcher?.close();
    if (this.watchDispatcher !== sharedWatchAgent) await this.watchDispatcher.close();
  }

  private async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    // The slot is held until the body is read: the connection is busy, and the server's work done, only then.
    return this.slots ? this.slots.run(() => this.jsonNow<T>(method, path, opts)) : this.jsonNow<T>(method, path, opts);
  }

  private async jsonNow<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    const res = await this.send(method, path, opts);
    const text = await res.body.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  private patchOptions(patch: unknown, type: PatchType): RequestOptions {
    const query = type === 'apply' ? { fieldManager: this.opts.fieldManager ?? 'podling' } : undefined;
    // JSON is YAML, so an apply patch given as an object is sent as JSON under the apply-patch+yaml type.
    return { body: patch, contentType: patchContentType[type], query };
  }
}

/** Methods that may be sent again to another apiserver when the first one broke the connection mid-request. */
function idempotent(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

function withNamespace(ref: ResourceRef, obj: KubeObject): ResourceRef {
  return ref.namespace || !obj.metadata.namespace ? ref : { ...ref, namespace: obj.metadata.namespace };
}

function nameOf(obj: KubeObject): string {
  const name = obj.metadata.name;
  if (!name) throw new Error('object has no metadata.name');
  return name;
}
