// Incremental newline-delimited JSON framing for watch streams (kubectl-wire.md §7): a chunk may end mid-line
// or mid-UTF-8 character, lines may end in LF or CRLF, and a blank line is a heartbeat carrying nothing.

export class NdjsonSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private partial = '';

  /** Feeds one chunk; calls `onValue` for every complete non-blank line, in order. Throws on malformed JSON. */
  push(chunk: Uint8Array, onValue: (v: unknown) => void): void {
    this.partial += this.decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, nl);
      this.partial = this.partial.slice(nl + 1);
      parseLine(line, onValue);
    }
  }

  /** End of stream: a final line without a trailing newline still counts. */
  end(onValue: (v: unknown) => void): void {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    parseLine(rest, onValue);
  }
}

function parseLine(line: string, onValue: (v: unknown) => void): void {
  const trimmed = line.trim();
  if (trimmed === '') return;
  let v: unknown;
  // A malformed line means a broken stream, not a skippable heartbeat: dropping it could lose an event.
  try { v = JSON.parse(trimmed); } catch { throw new Error(`malformed watch event line: ${trimmed.slice(0, 200)}`); }
  onValue(v);
}
