// One ListWatch per API path, shared by every view that shows it (the nodes view and the pods view read the same pod
// watch) and stopped when the last view lets go.
import { useEffect, useState } from 'preact/hooks';
import type { KubeObject } from '@podling/api';
import { ListWatch } from './list-watch.ts';

const shared = new Map<string, { lw: ListWatch; users: number }>();

/** Lists and watches `path` while the calling component is mounted; re-renders it on (coalesced) changes. */
export function useListWatch<T extends KubeObject>(path: string): ListWatch<T> {
  const [, setVersion] = useState(0);
  let entry = shared.get(path);
  if (!entry) {
    entry = { lw: new ListWatch(path), users: 0 };
    shared.set(path, entry);
    entry.lw.start();
  }
  const lw = entry.lw;
  useEffect(() => {
    const e = shared.get(path)!;
    e.users++;
    const off = lw.subscribe(() => setVersion(lw.version));
    return () => {
      off();
      if (--e.users === 0) setTimeout(() => { if (e.users === 0 && shared.get(path) === e) { e.lw.stop(); shared.delete(path); } }, 0);
    };
  }, [lw, path]);
  return lw as unknown as ListWatch<T>;
}

/** After a new token: every live collection lists again with it. */
export function restartAll(): void {
  for (const { lw } of shared.values()) lw.restart();
}
