// PodRecords on disk, one state.json per pod UID, written atomically (temp file + rename) so a crash mid-write
// leaves the previous version.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PodPaths } from './pod-paths.ts';
import type { PodRecord } from './pod-record.ts';

export class PodStateStore {
  constructor(private readonly root: string) {}

  save(record: PodRecord): void {
    const p = new PodPaths(this.root, record.uid);
    mkdirSync(p.podDir, { recursive: true });
    const tmp = `${p.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, p.stateFile);
  }

  /** Every readable record under <root>/pods; unreadable ones are returned by uid so they can be cleaned up. */
  loadAll(): { records: PodRecord[]; unreadable: string[] } {
    const records: PodRecord[] = [];
    const unreadable: string[] = [];
    let uids: string[];
    try { uids = readdirSync(PodPaths.podsDir(this.root)); } catch { return { records, unreadable }; }
    for (const uid of uids) {
      try {
        records.push(JSON.parse(readFileSync(path.join(PodPaths.podsDir(this.root), uid, 'state.json'), 'utf8')) as PodRecord);
      } catch {
        unreadable.push(uid);
      }
    }
    return { records, unreadable };
  }

  /** Removes everything the pod had on this node: state, logs, volumes. */
  remove(uid: string): void {
    rmSync(new PodPaths(this.root, uid).podDir, { recursive: true, force: true });
  }
}
