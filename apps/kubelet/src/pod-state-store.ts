// PodRecords on disk, one state.json per pod UID, written atomically (temp file + rename) so a crash mid-write
// leaves the previous version.
//
// save() does not block: writes go through libuv's thread pool, at most one in flight per pod, and only the latest
// record is written (saves made meanwhile coalesce). A record is on disk shortly after a save, not at once; a crash
// in between is what the agent's start-up sweep covers anyway (a wrapper no record accounts for is killed).
// flush() waits for every pending write (agent shutdown); remove() waits for the pod's write, then deletes its
// directory, so no late write can recreate it.
import { readdirSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from './logger.ts';
import { PodPaths } from './pod-paths.ts';
import type { PodRecord } from './pod-record.ts';

interface Slot { record: PodRecord; dirty: boolean; removed: boolean; writing: Promise<void> | undefined }

export class PodStateStore {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly root: string, private readonly log?: Logger) {}

  /** Schedules writing `record` (the pod directory must exist: the sandbox creates it). */
  save(record: PodRecord): void {
    let s = this.slots.get(record.uid);
    if (!s) { s = { record, dirty: false, removed: false, writing: undefined }; this.slots.set(record.uid, s); }
    s.record = record;
    s.dirty = true;
    s.writing ??= this.drain(s);
  }

  /** Resolves once every save made so far is on disk. */
  async flush(): Promise<void> {
    while (this.slots.size > 0) await Promise.all([...this.slots.values()].map((s) => s.writing));
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

  /** Removes everything the pod had on this node: state, logs, volumes. A pending save of it is dropped. */
  async remove(uid: string): Promise<void> {
    const s = this.slots.get(uid);
    if (s) { s.removed = true; await s.writing; }
    await rm(new PodPaths(this.root, uid).podDir, { recursive: true, force: true, maxRetries: 3 });
  }

  private async drain(s: Slot): Promise<void> {
    await new Promise<void>((r) => setImmediate(r)); // saves made in the same turn become one write
    const p = new PodPaths(this.root, s.record.uid);
    const tmp = `${p.stateFile}.tmp`;
    while (s.dirty && !s.removed) {
      s.dirty = false;
      try {
        await writeFile(tmp, JSON.stringify(s.record));
        await rename(tmp, p.stateFile);
      } catch (err) {
        // ENOENT: the pod's directory is gone (removed), so there is nothing left to record.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log?.error({ err, uid: s.record.uid }, 'cannot write the pod state');
      }
    }
    s.writing = undefined;
    if (this.slots.get(s.record.uid) === s) this.slots.delete(s.record.uid);
  }
}
