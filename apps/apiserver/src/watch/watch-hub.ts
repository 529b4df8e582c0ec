// Serves watches from the store's in-memory change window (no polling of SQLite per watcher). Each watcher
// filters the committed batches it receives, turns selector transitions into ADDED/DELETED as kube's cacher does,
// and writes each batch to its sink in one write; a large initial state (replay) or a long replay of the window
// (catchUp) goes out a page at a time instead.
// Bookmarks and heartbeats run off two shared timers.
import { errors, type KubeObject } from '@podling/api';
import { isStorageError, StorageError, type Change, type ListResult, type Storage, type StoredObject, type WatchHandle, type WatchTrigger } from '@podling/store';
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

interface Active {
  spec: WatchSpec;
  sink: WatchSink;
  handle?: WatchHandle;
  timer: NodeJS.Timeout;
  lastWrite: number;
  /** Still sending its initial state or catching up: no bookmark may come before the state's end, and none may claim
   *  a revision whose changes have not all been sent. */
  replaying: boolean;
  /** While catching up: the commits made meanwhile, sent after what it is catching up on. */
  backlog?: (readonly Change[])[];
}

/** Objects per page of a large initial state, as for a streamed list (routes/resource-routes.ts). */
const INITIAL_PAGE = 500;
/** Characters per page: a page is written at once, past the watch buffer's bound, so a count alone let 500 objects
 *  of up to 3 MiB each (the request body limit) be one write of 1.5 GB for a reader that is not reading. About 500
 *  pods of 2 KB; a longer event is a page of its own. */
const PAGE_CHARS = 1 << 20;

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
    const w: Active = { spec, sink, replaying: false, lastWrite: Date.now(), timer: setTimeout(() => this.finish(w), timerDelay(spec.timeoutMs)) };
    this.active.add(w);
    sink.onClose(() => this.drop(w));
    if (spec.fromRv !== undefined) { this.follow(w, spec.fromRv); return; }
    try {
      const first = this.initialPage(spec);
      const lines = this.initialLines(spec, first.items, first.rv, first.continue === undefined);
      if (first.continue === undefined && charsOf(lines) <= PAGE_CHARS) {
        // All of it in one page: written at once, as any batch is.
        if (lines.length) this.write(w, lines);
        this.follow(w, first.rv);
      } else {
        w.replaying = true;
        void this.replay(w, first, lines);
      }
    } catch (e) {
      this.fail(w, e);
    }
  }

  /** Ends every watch (server shutdown): clients see a clean end of stream and re-watch elsewhere or later. */
  closeAll(): void {
    for (const w of [...this.active]) this.finish(w, false);
    for (const t of this.timers) clearInterval(t);
  }

  private initialPage(spec: WatchSpec, token?: string): ListResult {
    return this.storage.list(spec.resource, {
      namespace: spec.namespace, filter: (s) => spec.matches(s.attrs), limit: INITIAL_PAGE, continue: token, countRemaining: false,
    });
  }

  private initialLines(spec: WatchSpec, items: readonly StoredObject[], rv: number, last: boolean): Line[] {
    const lines = items.map((item) => eventLine(item, 'ADDED', item, spec.renderer));
    if (last && spec.initialEventsEndBookmark) lines.push(this.bookmarkLine(spec, rv, true));
    return lines;
  }

  /** The initial state of a large watch, a page of one snapshot at a time, each read from the store only once the
   *  previous has left for the socket: a watch of 30,000 pods from "0" wrote ~60 MB in one synchronous call that held
   *  the event loop for 0.6–0.9 s on a 2-core machine, and kept it in memory for a reader that stopped reading.
   *  kube-apiserver's cacher likewise hands a watch its initial events one at a time, each as the watcher's channel
   *  takes it (k8s.io/apiserver pkg/storage/cacher/cache_watcher.go, processInterval). The changes committed
   *  meanwhile follow from the snapshot's revision, after the last page. */
  private async replay(w: Active, page: ListResult, lines: Line[]): Promise<void> {
    const { spec } = w;
    try {
      for (;;) {
        if (!await this.sendPages(w, lines)) return;
        if (page.continue === undefined) break;
        page = this.initialPage(spec, page.continue);
        lines = this.initialLines(spec, page.items, page.rv, page.continue === undefined);
      }
      w.replaying = false;
      this.follow(w, page.rv);
    } catch (e) {
      this.fail(w, e);
    }
  }

  /** Writes `lines` a page of at most PAGE_CHARS at a time (false: the watch ended). */
  private async sendPages(w: Active, lines: Line[]): Promise<boolean> {
    for (const page of pagesOf(lines)) if (!await this.sendPage(w, page)) return false;
    return true;
  }

  /** Writes one page and resolves once it has left for the socket and the loop has turned (false: the watch ended).
   *  A socket that takes a page at once calls back in the same turn (Node defers such a callback only to
   *  process.nextTick), so the turn is waited for too: other requests get theirs between pages. */
  private async sendPage(w: Active, lines: Line[]): Promise<boolean> {
    const sent = lines.length ? w.sink.sendPaced(lines) : Promise.resolve(!w.sink.closed);
    const [taken] = await Promise.all([sent, new Promise((resolve) => setImmediate(resolve))]);
    if (!taken || !this.active.has(w)) {
      this.drop(w);
      return false;
    }
    w.lastWrite = Date.now();
    return true;
  }

  /** Hands the watch every change after `fromRv`: first those still in the store's window, then each commit. */
  private follow(w: Active, fromRv: number): void {
    const { spec } = w;
    let registering = true;
    try {
      w.handle = this.storage.watch({
        resource: spec.resource, namespace: spec.namespace, fromRv, trigger: spec.trigger,
        // The store reset its history (an etcd watch cache relisted): end the stream; the client resumes or relists.
        onEnd: () => this.finish(w, false),
      }, (batch) => {
        if (!registering) return this.deliver(w, batch);
        // The store replays the window inside watch(): a long replay is paced as an initial state is.
        const lines = batch.length > INITIAL_PAGE ? undefined : this.linesOf(w, batch);
        if (lines && charsOf(lines) <= PAGE_CHARS) {
          if (lines.length) this.write(w, lines, batch);
        } else {
          void this.catchUp(w, batch);
        }
      });
      registering = false;
      // The replay runs inside watch(); a sink that overflowed during it was dropped before the handle existed.
      if (!this.active.has(w)) w.handle.stop();
    } catch (e) {
      this.fail(w, e);
    }
  }

  /** A watch resumed far back (up to the window's --watch-history changes) gets them a page at a time, then what was
   *  committed meanwhile: in one call, 19,000 pod creates held the event loop for 0.3–0.7 s on a 2-core machine. A
   *  reader that falls behind the window while it catches up gets 410 Expired, as one resuming that far back would. */
  private async catchUp(w: Active, batch: readonly Change[]): Promise<void> {
    w.replaying = true;
    w.backlog = [];
    try {
      for (let pending: readonly Change[] = batch; pending.length > 0; pending = w.backlog.splice(0).flat()) {
        for (let i = 0; i < pending.length; i += INITIAL_PAGE) {
          if (!await this.sendPages(w, this.linesOf(w, pending.slice(i, i + INITIAL_PAGE)))) return;
        }
      }
      w.backlog = undefined;
      w.replaying = false;
    } catch (e) {
      this.fail(w, e);
    }
  }

  /** A revision older than the store's history (410 Expired, the client relists) ends the stream with an ERROR
   *  event; anything else is the server's fault, logged, and ends it too. */
  private fail(w: Active, e: unknown): void {
    if (!isStorageError(e, 'Expired')) this.opts.log.error({ err: e, resource: w.spec.resource }, 'watch failed');
    const status = isStorageError(e, 'Expired') ? errors.expired(e.message).status : errors.internal().status;
    const line = adhocLine(`{"type":"ERROR","object":${JSON.stringify(status)}}`);
    if (this.active.has(w)) {
      // Behind a page still in flight the buffer is over the watch bound by design; the reason goes after it.
      if (w.replaying) void w.sink.sendPaced([line]);
      else this.write(w, [line]);
    }
    this.finish(w, false);
  }

  private deliver(w: Active, batch: readonly Change[]): void {
    if (w.backlog) {
      w.backlog.push(batch);
      const oldest = w.backlog[0][0].rv;
      if (oldest - 1 < this.storage.oldestRevision()) {
        this.fail(w, new StorageError('Expired', undefined, `too old resource version: ${oldest - 1} (${this.storage.oldestRevision()})`));
      }
      return;
    }
    const lines = this.linesOf(w, batch);
    if (lines.length) this.write(w, lines, batch);
  }

  /** The events this watcher sees in a batch of changes (selector transitions as ADDED/DELETED). */
  private linesOf(w: Active, batch: readonly Change[]): Line[] {
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
    return lines;
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
      if (!w.spec.bookmarks || w.spec.renderer.key !== 'json' || w.replaying) continue;
      const k = `${w.spec.apiVersion}/${w.spec.kind}`;
      let line = lines.get(k);
      if (!line) lines.set(k, (line = this.bookmarkLine(w.spec, rv)));
      this.write(w, [line]);
    }
  }

  private sendHeartbeats(): void {
    const quietSince = Date.now() - this.opts.heartbeatIntervalMs;
    for (const w of this.active) if (w.lastWrite < quietSince && !w.replaying) { w.sink.heartbeat(); w.lastWrite = Date.now(); }
  }

  private finish(w: Active, bookmark = true): void {
    if (bookmark && w.spec.bookmarks && w.spec.renderer.key === 'json' && !w.sink.closed && !w.replaying) {
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

function charsOf(lines: readonly Line[]): number {
  let n = 0;
  for (const l of lines) n += l.text.length;
  return n;
}

/** `lines` cut into pages of at most PAGE_CHARS characters (a longer line alone); no lines is one empty page. */
function pagesOf(lines: Line[]): Line[][] {
  if (charsOf(lines) <= PAGE_CHARS) return [lines];
  const pages: Line[][] = [];
  let page: Line[] = [];
  let size = 0;
  for (const l of lines) {
    if (page.length && size + l.text.length > PAGE_CHARS) { pages.push(page); page = []; size = 0; }
    page.push(l);
    size += l.text.length;
  }
  pages.push(page);
  return pages;
}
