// The body of a JSON list from the stored JSON texts of its items. A small list is one string (sent with a
// Content-Length); a large one is streamed in chunks that are made only as the socket takes them, so a 50,000-pod
// list starts arriving at once and never exists in memory as a whole (kube-apiserver streams large list bodies too:
// k8s.io/apiserver pkg/endpoints/handlers/responsewriters, StreamingCollectionJSONEncoding).
import { Readable } from 'node:stream';
import type { StoredObject } from '@podling/store';

/** Bodies up to this many characters are built as one string; the cost of a stream is not worth it below. */
const STREAM_ABOVE = 256 * 1024;
/** Characters per streamed chunk: large enough that per-chunk costs vanish, small enough to stay out of the way. */
const CHUNK = 64 * 1024;

/** The items after the first page, a page per call, read only as the stream needs them; `more` is false on the
 *  last. It may throw (the snapshot expired): the response is then cut short, and the client relists. */
export type NextPage = () => { items: readonly StoredObject[]; more: boolean };

/** `head` ends just before the first item, `tail` closes the items array and the list. */
export function listBody(head: string, items: readonly StoredObject[], tail: string, nextPage?: NextPage): string | Readable {
  // Each page's texts are taken when the page is: a state replaced while the stream waits on a slow client may let
  // its text go to the log (the store's releaseText), and the log does not keep it forever.
  const texts = textsOf(items);
  let size = head.length + tail.length + texts.length;
  for (let i = 0; i < texts.length && size <= STREAM_ABOVE; i++) size += texts[i].length;
  if (size <= STREAM_ABOVE && !nextPage) return `${head}${texts.join(',')}${tail}`;
  // Readable.from pulls the next chunk only when the response has room for it (back-pressure). The chunks stay
  // strings (`encoding`) down to the socket, which encodes them as it writes: made into Buffers here, 100 MB of list
  // would be 100 MB of external memory, which V8 counts toward its next full collection.
  return Readable.from(chunks(head, texts, tail, nextPage), { objectMode: false, encoding: 'utf8', highWaterMark: CHUNK });
}

function textsOf(items: readonly StoredObject[]): string[] {
  const texts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) texts[i] = items[i].json;
  return texts;
}

function* chunks(head: string, first: string[], tail: string, nextPage?: NextPage): Generator<string> {
  let parts: string[] = [head];
  let size = head.length;
  let sep = '';
  for (let page = { texts: first, more: !!nextPage }; ; page = taken(nextPage!())) {
    for (const json of page.texts) {
      parts.push(sep + json);
      sep = ',';
      size += json.length + 1;
      if (size >= CHUNK) {
        yield parts.join('');
        parts = [];
        size = 0;
      }
    }
    if (!page.more) break;
  }
  parts.push(tail);
  yield parts.join('');
}

function taken(page: { items: readonly StoredObject[]; more: boolean }): { texts: string[]; more: boolean } {
  return { texts: textsOf(page.items), more: page.more };
}
