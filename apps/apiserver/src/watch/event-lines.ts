// Watch event text, built once per (change, event type, format) and shared by every watcher that needs it:
// serializing per watcher would cost ~1.8x in fan-out throughput (baselines.md §3).
import type { KubeObject } from '@podling/api';
import type { Change, StoredObject } from '@podling/store';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Renders an object for a watcher: plain JSON text, or (for kubectl's Table watches) a one-row Table. */
export interface Renderer {
  /** Cache key of this rendering; watchers with equal keys share lines. */
  key: string;
  render(obj: StoredObject): string;
}

export const jsonRenderer: Renderer = { key: 'json', render: (s) => s.json };

const cache = new WeakMap<object, Map<string, string>>();

/** `{"type":T,"object":…}` without a trailing newline. */
export function eventLine(source: StoredObject | Change, type: EventType, obj: StoredObject, renderer: Renderer): string {
  let m = cache.get(source);
  if (!m) { m = new Map(); cache.set(source, m); }
  const k = `${type}|${renderer.key}`;
  let line = m.get(k);
  if (line === undefined) {
    line = `{"type":"${type}","object":${renderer.render(obj)}}`;
    m.set(k, line);
  }
  return line;
}

const restamped = new WeakMap<Change, StoredObject>();

/** The previous state of an object stamped with the change's revision: what a watcher whose selector the object
 *  just left receives as DELETED, so its resourceVersion still advances (as kube's cacher does). */
export function previousAtChange(change: Change): StoredObject {
  let s = restamped.get(change);
  if (!s) {
    const object = JSON.parse(change.previous!.json) as KubeObject;
    object.metadata.resourceVersion = String(change.rv);
    s = { object, json: JSON.stringify(object), rv: change.rv };
    restamped.set(change, s);
  }
  return s;
}
