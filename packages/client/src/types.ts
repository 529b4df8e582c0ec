// The client's contract, declared by its consumers' needs (kubelet, controllers, tests).
import type { DeleteOptions, KubeObject, List, Status } from '@podling/api';

export interface ClientOptions {
  /** e.g. http://127.0.0.1:8080 or https://10.0.0.1:6443; or a comma-separated list of the apiservers of one
   *  cluster, tried in order when one stops answering (server-list.ts). */
  server: string;
  /** Bearer token (sent on every request). */
  token?: string;
  /** PEM CA bundle used to verify an https server. */
  ca?: string;
  /** Skip TLS verification (tests only). */
  insecureSkipTLSVerify?: boolean;
  userAgent?: string;
  /** With several servers: how long a request may wait for its answer before that apiserver counts as not answering
   *  and the next is tried (default 30 s; a watch may be silent four times as long). */
  stallTimeoutMs?: number;
  /** fieldManager sent with apply patches; default 'podling'. */
  fieldManager?: string;
  /** The most requests of the typed verbs (get, list, create, update, patch, delete, bind) this client has at the
   *  apiserver at once, over as many connections; more wait in the client, in order (request-slots.ts). Watches
   *  and `request()` streams are not counted. Default: no limit. */
  maxRequestsInFlight?: number;
}

/** Where an object lives: resource plural plus namespace ('' / undefined for cluster-scoped). */
export interface ResourceRef { resource: string; namespace?: string }

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchQuery extends ListQuery {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export interface WatchEventOf<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T | Status;
}

export interface WatchStream {
  /** Closes the connection; `done` then resolves. */
  stop(): void;
  /** Resolves when the server ends the stream or stop() is called; rejects on a transport error. */
  readonly done: Promise<void>;
}

export interface KubeClientApi {
  get<T extends KubeObject>(ref: ResourceRef, name: string): Promise<T>;
  list<T extends KubeObject>(ref: ResourceRef, query?: ListQuery): Promise<List<T>>;
  create<T extends KubeObject>(ref: ResourceRef, obj: T): Promise<T>;
  update<T extends KubeObject>(ref: ResourceRef, obj: T): Promise<T>;
  updateStatus<T extends KubeObject>(ref: ResourceRef, obj: T): Promise<T>;
  /** `patch` (here and in patchStatus) is an object, or its text, sent as it is. */
  patch<T extends KubeObject>(ref: ResourceRef, name: string, patch: unknown, type?: PatchType): Promise<T>;
  patchStatus<T extends KubeObject>(ref: ResourceRef, name: string, patch: unknown, type?: PatchType): Promise<T>;
  /** Returns the object the server returned (the Pod for pods; a Status otherwise). */
  delete<T extends KubeObject>(ref: ResourceRef, name: string, options?: DeleteOptions): Promise<T | Status>;
  /** POST .../pods/{name}/binding */
  bind(namespace: string, podName: string, nodeName: string): Promise<Status>;
  /** Raw request for anything else; throws StatusError for non-2xx. */
  request(method: string, path: string, opts?: { body?: unknown; contentType?: string; query?: Record<string, string | number | boolean | undefined>; accept?: string }): Promise<Response>;
  /** Streams events; `onEvent` is called in order. ERROR events are delivered to onEvent too. */
  watch<T extends KubeObject>(ref: ResourceRef, query: WatchQuery, onEvent: (ev: WatchEventOf<T>) => void): WatchStream;
}
