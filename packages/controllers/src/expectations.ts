// The ReplicaSet controller's expectations (k/k pkg/controller/controller_utils.go, UIDTrackingControllerExpectations):
// before a controller sends N creates or deletes for an owner it records them here, and it does not act on that
// owner again until its informer has shown every one of them — otherwise a sync that runs before the cache caught
// up would count too few pods and create them a second time. A create that fails is lowered at once (it will never
// be observed); a record older than 5 minutes is ignored, so a lost watch event cannot wedge an owner forever.

/** client-go's ExpectationsTimeout. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Record { adds: number; deletes: Set<string>; at: number }

export class Expectations {
  private readonly records = new Map<string, Record>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether the owner may be synced: nothing outstanding, or the record expired, or none at all. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    return (r.adds <= 0 && r.deletes.size === 0) || this.now() - r.at > EXPECTATIONS_TIMEOUT_MS;
  }

  /** Replaces the owner's record: `adds` creates and the deletion of `deleteUids` are about to be sent. */
  expect(key: string, adds: number, deleteUids: Iterable<string> = []): void {
    this.records.set(key, { adds, deletes: new Set(deleteUids), at: this.now() });
  }

  /** The informer showed `n` pods this owner created (or `n` creates failed or were skipped and never will be). */
  creationObserved(key: string, n = 1): void {
    const r = this.records.get(key);
    if (r) r.adds -= n;
  }

  /** The informer showed the pod going away or getting a deletionTimestamp (or the delete failed). */
  deletionObserved(key: string, uid: string): void {
    this.records.get(key)?.deletes.delete(uid);
  }

  /** The owner is gone: forget it. */
  delete(key: string): void { this.records.delete(key); }
}
