// Serves watches from the store's in-memory change window (no polling of SQLite per watcher). Each watcher
// filters the committed batches it receives, turns selector transitions into ADDED/DELETED as kube's cacher does,
// and writes each batch to its sink in one write. Bookmarks and heartbeats run off two shared timers.
import { errors, type KubeObject } from '@podling/api';
import { isStorageError, type Change, type Storage, type WatchHandle, type WatchTrigger } from '@podling/store';
import type { FastifyBaseLogger } from 'fastify';
import { timerDelay } from '@podling/client';
import { adhocLine, eventLine, previousAtChange, type EventType, type Line, type Renderer } from './event-lines.ts';
import type { WatchSink } from './sink.ts';

export interface WatchSpec {
  resource: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  /** Reads only labels and selectable fields: it is given StoredObject.attrs. */
  matches(attrs: KubeObject): boolean;
  /** A field value `matches` requires: the store then hands this watch only the changes that have it. */
  trigger?: WatchTrigger;
  /** Resume after this revision; undefined = start with ADDED for the current state (RV unset or "0"). */
  fromRv?: number;
  /** sendInitialEvents=true: end the initial state with an annotated BOOKMARK. */
  initialEventsEndBookmark: boolean;
  bookmarks: boolean;
  timeoutMs: number;
  renderer: Renderer;
}

interface Active { spec: WatchSpec; sink: WatchSink; handle?: WatchHandle; timer: NodeJS.Timeout; lastWrite: number }

export interface WatchHubOptions { bookmarkIntervalMs: number; heartbeatIntervalMs: number; log: FastifyBaseLogger }

export class WatchHub {
  private readonly active = new Set<Active>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly storage: Storage, private readonly opts: WatchHubOptions) {
    this.timers.push(setInterval(() => this.sendBookmarks(), opts.bookmarkIntervalMs).unref());
    this.timers.push(setInterval(() => this.sendHeartbeats(), opts.heartbeatIntervalMs).unref());
  }

  get size(): number { return this.active.size; }

  start(spec: WatchSpec, sink: WatchSink): void {
    const w: Active = { spec, sink, lastWrite: Date.now(), timer: setTimeout(() => this.finish(w), timerDelay(spec.timeoutMs)) };
    this.active.add(w);
    sink.onClose(() => this.drop(w));
    let fromRv = spec.fromRv;
    const initial: Line[] = [];
    if (fromRv === undefined) {
      const listed = this.storage.list(spec.resource, { namespace: spec.namespace, filter: (s) => spec.matches(s.attrs) });
      for (const item of listed.items) initial.push(eventLine(item, 'ADDED', item, spec.renderer));
      if (spec.initialEventsEndBookmark) initial.push(this.bookmarkLine(spec, listed.rv, true));
      fromRv = listed.rv;
    }
    if (initial.length) this.write(w, initial);
    try {
      w.handle = this.storage.watch({
        resource: spec.resource, namespace: spec.namespace, fromRv, trigger: spec.trigger,
        // The store reset its history (an etcd watch cache relisted): end the stream; the client resumes or relists.
        onEnd: () => this.finish(w, false),
      }, (batch) => this.deliver(w, batch));
      // The replay runs inside watch(); a sink that overflowed during it was dropped before the handle existed.
      if (!this.active.has(w)) w.handle.stop();
    } catch (e) {
      if (!isStorageError(e, 'Expired')) throw e;
      const status = errors.expired(e.message).status;
      this.write(w, [adhocLine(`{"type":"ERROR","object":${JSON.stringify(status)}}`)]);
      this.finish(w, false);
    }
  }

  /** Ends every watch (server shutdown): clients see a clean end of stream and re-watch elsewhere or later. */
  closeAll(): void {
    for (const w of [...this.active]) this.finish(w, false);
    for (const t of this.timers) clearInterval(t);
  }

  private deliver(w: Active, batch: readonly Change[]): void {
    const lines: Line[] = [];
    const { matches, renderer } = w.spec;
    for (const c of batch) {
      const now = c.type !== 'DELETED' && matches(c.current.attrs);
      const before = c.previous !== undefined && c.type !== 'ADDED' && matches(c.previous.attrs);
      let type: EventType | undefined;
      if (c.type === 'DELETED') type = matches(c.current.attrs) ? 'DELETED' : undefined;
      else if (now && before) type = 'MODIFIED';
      else if (now) type = 'ADDED';
      else if (before) { lines.push(eventLine(c, 'DELETED', previousAtChange(c), renderer)); continue; }
      if (type) lines.push(eventLine(c, type, c.current, renderer));
    }
    if (lines.length) this.write(w, lines, batch);
  }

  private write(w: Active, lines: Line[], batch?: object): void {
    w.lastWrite = Date.now();
    if (!w.sink.send(lines, batch)) this.drop(w);
  }

  private bookmarkLine(spec: WatchSpec, rv: number, initialEnd = false): Line {
    const metadata = initialEnd
      ? { resourceVersion: String(rv), annotations: { 'k8s.io/initial-events-end': 'true' } }
      : { resourceVersion: String(rv) };
    return adhocLine(JSON.stringify({ type: 'BOOKMARK', object: { kind: spec.kind, apiVersion: spec.apiVersion, metadata } }));
  }

  /** Every change up to currentRevision() has already been dispatched (delivery is synchronous on commit). */
  private sendBookmarks(): void {
    const rv = this.storage.currentRevision();
    const lines = new Map<string, Line>(); // one per kind, shared by its watchers
    for (const w of this.active) {
      if (!w.spec.bookmarks || w.spec.renderer.key !== 'json') continue;
      const k = `${w.spec.apiVersion}/${w.spec.kind}`;
      let line = lines.get(k);
      if (!line) lines.set(k, (line = this.bookmarkLine(w.spec, rv)));
      this.write(w, [line]);
    }
  }

  private sendHeartbeats(): void {
    const quietSince = Date.now() - this.opts.heartbeatIntervalMs;
    for (const w of this.active) if (w.lastWrite < quietSince) { w.sink.heartbeat(); w.lastWrite = Date.now(); }
  }

  private finish(w: Active, bookmark = true): void {
    if (bookmark && w.spec.bookmarks && w.spec.renderer.key === 'json' && !w.sink.closed) {
      w.sink.send([this.bookmarkLine(w.spec, this.storage.currentRevision())]);
    }
    w.sink.end();
    this.drop(w);
  }

  private drop(w: Active): void {
    if (!this.active.delete(w)) return;
    clearTimeout(w.timer);
    w.handle?.stop();
  }
}
