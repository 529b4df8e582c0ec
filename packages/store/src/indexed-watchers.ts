// The store's watchers of committed changes, per resource, named after kube's cacher `indexedWatchers`
// (staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go). The apiserver's WatchHub serves client watches over HTTP
// and registers each one here. Delivery is synchronous on the commit path, one call per watcher per commit; a throwing
// listener is logged and skipped so it cannot fail a commit or starve the other watchers. Watchers with a trigger
// (storage.ts WatchTrigger) sit in an index by the field's value, as kube's cacher keeps its "valueWatchers": a change
// reaches those whose value its current or previous state has, so the cost of a change does not grow with the number of
// such watchers (a thousand agents watching their own pods).
import type { Change, WatchHandle, WatchTrigger } from './storage.ts';
import type { StorageLogger } from './sqlite-storage.ts';

type Listener = (batch: readonly Change[]) => void;

interface Watcher {
  readonly namespace: string;
  readonly listener: Listener;
  readonly onEnd?: () => void;
  stopped: boolean;
}

/** The watchers of one trigger index of one resource, by value. */
interface TriggerIndex { valueOf: WatchTrigger['valueOf']; byValue: Map<string, Set<Watcher>> }

interface ResourceWatchers { plain: Set<Watcher>; triggered: Map<string, TriggerIndex>; size: number }

export class IndexedWatchers {
  private readonly byResource = new Map<string, ResourceWatchers>();

  constructor(private readonly logger: StorageLogger) {}

  /** Registers a watcher; `replay` (already filtered) is delivered first, synchronously, before this returns. */
  add(resource: string, namespace: string, listener: Listener, replay: readonly Change[], onEnd?: () => void, trigger?: WatchTrigger): WatchHandle {
    const w: Watcher = { namespace, listener, onEnd, stopped: false };
    if (replay.length > 0) this.deliver(resource, w, replay);
    let r = this.byResource.get(resource);
    if (!r) this.byResource.set(resource, (r = { plain: new Set(), triggered: new Map(), size: 0 }));
    const watchers = r;
    let set = watchers.plain;
    if (trigger) {
      let index = watchers.triggered.get(trigger.index);
      if (!index) watchers.triggered.set(trigger.index, (index = { valueOf: trigger.valueOf, byValue: new Map() }));
      const byValue = index.byValue;
      set = byValue.get(trigger.value) ?? new Set();
      byValue.set(trigger.value, set);
    }
    const own = set;
    own.add(w);
    watchers.size++;
    return {
      stop: () => {
        if (w.stopped) return;
        w.stopped = true;
        own.delete(w);
        if (trigger && own.size === 0) {
          const index = watchers.triggered.get(trigger.index)!;
          index.byValue.delete(trigger.value);
          if (index.byValue.size === 0) watchers.triggered.delete(trigger.index);
        }
        if (--watchers.size === 0 && this.byResource.get(resource) === watchers) this.byResource.delete(resource);
      },
    };
  }

  /** Delivers one commit (changes in rv order, any resources) to every matching watcher. */
  publish(batch: readonly Change[]): void {
    if (this.byResource.size === 0) return;
    const perResource = new Map<string, Change[]>();
    for (const c of batch) {
      if (!this.byResource.has(c.key.resource)) continue;
      const list = perResource.get(c.key.resource);
      if (list) list.push(c);
      else perResource.set(c.key.resource, [c]);
    }
    for (const [resource, changes] of perResource) {
      const watchers = this.byResource.get(resource);
      if (!watchers) continue;
      this.deliverAll(resource, watchers.plain, changes);
      for (const index of watchers.triggered.values()) {
        for (const [value, slice] of this.byTriggerValue(index, changes)) {
          const set = index.byValue.get(value);
          if (set) this.deliverAll(resource, set, slice);
        }
      }
    }
  }

  /** Ends every watch (their onEnd is called): the history they were resuming from is gone. */
  endAll(): void {
    const all: Watcher[] = [];
    for (const r of this.byResource.values()) {
      all.push(...r.plain);
      for (const index of r.triggered.values()) for (const set of index.byValue.values()) all.push(...set);
    }
    this.byResource.clear();
    for (const w of all) {
      w.stopped = true;
      try { w.onEnd?.(); } catch (err) { this.logger.error({ err }, 'watch onEnd threw'); }
    }
  }

  /** The changes (in rv order) for each value of the index that has watchers: a change goes under its current
   *  value and, if different, its previous one (the watchers an object just left see it leave). */
  private byTriggerValue(index: TriggerIndex, changes: readonly Change[]): Map<string, Change[]> {
    const out = new Map<string, Change[]>();
    const add = (value: string, c: Change) => {
      if (!index.byValue.has(value)) return;
      const list = out.get(value);
      if (list) list.push(c);
      else out.set(value, [c]);
    };
    for (const c of changes) {
      const now = index.valueOf(c.current.attrs);
      add(now, c);
      if (c.previous) {
        const before = index.valueOf(c.previous.attrs);
        if (before !== now) add(before, c);
      }
    }
    return out;
  }

  private deliverAll(resource: string, watchers: Set<Watcher>, changes: readonly Change[]): void {
    if (watchers.size === 0) return;
    const perNamespace = new Map<string, readonly Change[]>();
    // Copy: a listener may stop itself or start another watcher while we iterate.
    for (const w of [...watchers]) {
      let slice = changes;
      if (w.namespace !== '') {
        let filtered = perNamespace.get(w.namespace);
        if (!filtered) perNamespace.set(w.namespace, (filtered = changes.filter((c) => c.key.namespace === w.namespace)));
        slice = filtered;
      }
      if (slice.length > 0 && !w.stopped) this.deliver(resource, w, slice);
    }
  }

  private deliver(resource: string, w: Watcher, changes: readonly Change[]): void {
    try {
      w.listener(changes);
    } catch (err) {
      this.logger.error({ err, resource, namespace: w.namespace, firstRv: changes[0].rv }, 'watch listener threw; batch skipped for it');
    }
  }
}
