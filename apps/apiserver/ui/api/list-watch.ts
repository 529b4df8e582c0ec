// A live collection: one list, then a websocket watch from its resourceVersion — the informer pattern of client-go,
// in the browser. Events are applied to the map as they arrive; subscribers are told at most once per NOTIFY_MS, so
// 5,000 pods changing at once cost one render, not 5,000. A watch that ends resumes from the last resourceVersion;
// 410 Gone, or a socket that never opened (a 401 or 403 a browser cannot read), relists, which reports the error.
import type { KubeObject } from '@podling/api';
import { api, ApiError } from './api.ts';
import { watchProtocols } from './session.ts';

const NOTIFY_MS = 150;
const RETRY_MS = [500, 1000, 2000, 5000];

interface WatchEvent { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: KubeObject & { code?: number } }

export const objectKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export class ListWatch<T extends KubeObject = KubeObject> {
  readonly items = new Map<string, T>();
  /** Bumped on every notification, so views can memoise on it. */
  version = 0;
  synced = false;
  error: ApiError | undefined;
  private rv = '';
  private socket: WebSocket | undefined;
  private stopped = false;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(readonly path: string) {}

  start(): void { void this.relist(); }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.pending);
    this.closeSocket();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Lists again now, e.g. after the user gave a token. */
  restart(): void {
    clearTimeout(this.timer);
    this.closeSocket();
    this.failures = 0;
    void this.relist();
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const list = await api<{ items: T[]; metadata: { resourceVersion?: string } }>(this.path);
      this.items.clear();
      for (const o of list.items) this.items.set(objectKey(o), o);
      this.rv = list.metadata.resourceVersion ?? '';
      this.synced = true;
      this.error = undefined;
      this.failures = 0;
      this.notify(true);
      this.watch(true);
    } catch (e) {
      this.error = e instanceof ApiError ? e : new ApiError(0, String(e));
      this.notify(true);
      this.retry(() => this.relist());
    }
  }

  private watch(fresh: boolean): void {
    if (this.stopped) return;
    const url = new URL(this.path, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('watch', 'true');
    url.searchParams.set('resourceVersion', this.rv);
    url.searchParams.set('allowWatchBookmarks', 'true');
    const socket = new WebSocket(url, watchProtocols());
    this.socket = socket;
    let opened = false;
    socket.onopen = () => { opened = true; };
    socket.onmessage = (m) => { if (this.socket === socket) this.apply(JSON.parse(String(m.data)) as WatchEvent); };
    socket.onclose = () => {
      if (this.socket !== socket || this.stopped) return;
      // A socket refused before it opened tells the browser nothing: the list says why (401, 403, down).
      if (!opened) this.retry(() => this.relist());
      else this.retry(() => this.watch(false), fresh);
    };
  }

  private apply(ev: WatchEvent): void {
    if (ev.type === 'ERROR') {
      // 410 Gone: the resourceVersion is older than the server's window; start over.
      this.closeSocket();
      this.retry(() => this.relist());
      return;
    }
    const rv = ev.object.metadata?.resourceVersion;
    if (rv) this.rv = rv;
    if (ev.type === 'BOOKMARK') return;
    const key = objectKey(ev.object);
    if (ev.type === 'DELETED') this.items.delete(key);
    else this.items.set(key, ev.object as T);
    this.notify(false);
  }

  /** Closes the current socket as ours: its onclose no longer reconnects. */
  private closeSocket(): void {
    const s = this.socket;
    this.socket = undefined;
    s?.close();
  }

  private retry(fn: () => void, immediate = false): void {
    clearTimeout(this.timer);
    const delay = immediate ? 0 : RETRY_MS[Math.min(this.failures++, RETRY_MS.length - 1)];
    this.timer = setTimeout(fn, delay);
  }

  private notify(now: boolean): void {
    if (now) { clearTimeout(this.pending); this.pending = undefined; this.emit(); return; }
    this.pending ??= setTimeout(() => { this.pending = undefined; this.emit(); }, NOTIFY_MS);
  }

  private emit(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
