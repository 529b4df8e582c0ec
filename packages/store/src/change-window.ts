// The sliding window of committed changes that watches replay from and continued lists rebuild snapshots from.
import type { Change } from './storage.ts';

/** What one commit drops from the window, decided before the commit so the same transaction prunes the log. */
export interface PrunePlan {
  /** After the commit every change with rv > compactedRv is retained, and none older. */
  compactedRv: number;
  /** How many of the oldest retained changes go. */
  dropCount: number;
  /** Retained changes whose `previous` state was written by a dropped change: the log must now carry that state
   *  itself (changes.prev_value), or a restart could not rebuild `previous`. */
  orphaned: Change[];
  /** Dropped changes whose row the log no longer needs: deletions, and states a later change replaced. A dropped
   *  change that is still its object's current state stays as that object's row. */
  deadRows: number[];
}

/** Changes in rv order, all of those with rv > compactedRv (no gaps except revisions that were never committed). */
export class ChangeWindow {
  private items: Change[];
  private head = 0;
  /** rv of a state → the retained change that replaced it (one at most). */
  private readonly successor = new Map<number, Change>();

  constructor(private compacted: number, retained: Change[]) {
    this.items = retained;
    for (const c of retained) this.link(c);
  }

  /** Every change with rv > compactedRv is retained. */
  get compactedRv(): number { return this.compacted; }
  get length(): number { return this.items.length - this.head; }

  /** Index (for at()) of the first retained change with rv > rv. */
  firstAfter(rv: number): number {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The retained change at an index from firstAfter(); undefined past the end. */
  at(i: number): Change | undefined { return this.items[i]; }

  /** Keeps at most `limit` changes once `incoming` is appended. */
  planPrune(incoming: readonly Change[], limit: number): PrunePlan {
    const dropCount = Math.max(0, this.length + incoming.length - limit);
    if (dropCount === 0) return { compactedRv: this.compacted, dropCount, orphaned: [], deadRows: [] };
    const retained = this.length;
    const last = dropCount <= retained ? this.items[this.head + dropCount - 1] : incoming[dropCount - retained - 1];
    const orphaned: Change[] = [];
    const deadRows: number[] = [];
    for (let i = this.head; i < this.head + Math.min(dropCount, retained); i++) {
      const dropped = this.items[i];
      const next = this.successor.get(dropped.rv);
      if (next && next.rv > last.rv) orphaned.push(next);
      // A successor in `incoming` is not linked yet; the journal drops the row it replaces itself.
      if (next || dropped.type === 'DELETED') deadRows.push(dropped.rv);
    }
    return { compactedRv: last.rv, dropCount, orphaned, deadRows };
  }

  /** Applies a committed batch and the plan made for it. */
  apply(incoming: readonly Change[], plan: PrunePlan): void {
    const end = Math.min(this.items.length, this.head + plan.dropCount);
    for (let i = this.head; i < end; i++) this.successor.delete(this.items[i].rv);
    this.head = end;
    this.compacted = plan.compactedRv;
    for (const c of incoming) {
      if (c.rv <= plan.compactedRv) continue;
      this.items.push(c);
      this.link(c);
    }
    // Reclaim the dropped prefix once it is the larger part, so appends and drops stay amortized O(1).
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  private link(c: Change): void {
    if (c.previous && c.previous.rv > this.compacted) this.successor.set(c.previous.rv, c);
  }
}
