// Watchers of committed changes, per resource. Delivery is synchronous on the commit path, one call per watcher per
// commit; a throwing listener is logged and skipped so it cannot fail a commit or starve the other watchers.
import type { Change, WatchHandle } from './storage.ts';
import type { StorageLogger } from './sqlite-storage.ts';

type Listener = (batch: readonly Change[]) => void;

interface Watcher {
  readonly namespace: string;
  readonly listener: Listener;
  readonly onEnd?: () => void;
  stopped: boolean;
}

export class WatchHub {
  private readonly byResource = new Map<string, Set<Watcher>>();

  constructor(private readonly logger: StorageLogger) {}

  /** Registers a watcher; `replay` (already filtered) is delivered first, synchronously, before this returns. */
  add(resource: string, namespace: string, listener: Listener, replay: readonly Change[], onEnd?: () => void): WatchHandle {
    const w: Watcher = { namespace, listener, onEnd, stopped: false };
    if (replay.length > 0) this.deliver(resource, w, replay);
    let set = this.byResource.get(resource);
    if (!set) this.byResource.set(resource, (set = new Set()));
    const watchers = set;
    watchers.add(w);
    return {
      stop: () => {
        w.stopped = true;
        watchers.delete(w);
        if (watchers.size === 0 && this.byResource.get(resource) === watchers) this.byResource.delete(resource);
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
      const perNamespace = new Map<string, Change[]>();
      // Copy: a listener may stop itself or start another watcher while we iterate.
      for (const w of [...watchers]) {
        let slice: Change[] = changes;
        if (w.namespace !== '') {
          let filtered = perNamespace.get(w.namespace);
          if (!filtered) perNamespace.set(w.namespace, (filtered = changes.filter((c) => c.key.namespace === w.namespace)));
          slice = filtered;
        }
        if (slice.length > 0 && !w.stopped) this.deliver(resource, w, slice);
      }
    }
  }

  /** Ends every watch (their onEnd is called): the history they were resuming from is gone. */
  endAll(): void {
    const all = [...this.byResource.values()].flatMap((set) => [...set]);
    this.byResource.clear();
    for (const w of all) {
      w.stopped = true;
      try { w.onEnd?.(); } catch (err) { this.logger.error({ err }, 'watch onEnd threw'); }
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
