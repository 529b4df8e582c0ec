// A budget of request-body bytes the server may be receiving at once. Bodies are buffered whole before decoding
// (at most 3 MiB each), so without it N slow uploads hold N × their size for as long as they trickle: 300
// unfinished 3 MB bodies held 0.9 GB. A body reserves its declared Content-Length before its first byte is read
// (a chunked body, whose length is unknown, reserves the 3 MiB limit) and gives it back when its response is
// done; one that does not fit is refused at once, so the refusal costs no memory.
//
// Large bodies may fill only three quarters of the budget: the last quarter is kept for small ones (up to 64 KiB:
// heartbeats, status updates, ordinary creates), so slow uploads of big objects cannot stop the cluster's routine
// writes.
export const SMALL_BODY_BYTES = 64 * 1024;

export class BodyBudget {
  private inFlight = 0;
  /** Bodies refused because they did not fit. */
  refused = 0;

  /** `limitBytes` 0 means no budget. */
  constructor(readonly limitBytes: number) {}

  /** Reserves `bytes`; returns the release (idempotent), or undefined when they do not fit. */
  reserve(bytes: number): (() => void) | undefined {
    if (this.limitBytes > 0) {
      const cap = bytes <= SMALL_BODY_BYTES ? this.limitBytes : Math.floor(this.limitBytes * 3 / 4);
      if (this.inFlight + bytes > cap) { this.refused++; return undefined; }
    }
    this.inFlight += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= bytes;
    };
  }

  get bytesInFlight(): number { return this.inFlight; }
}
