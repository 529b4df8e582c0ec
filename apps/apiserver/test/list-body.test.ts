// Issue 18: a large list body is streamed from the stored JSON texts, lazily and byte-identical to the built one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { storedVersion } from '@podling/store';
import { listBody } from '../src/http/list-body.ts';

const items = (n: number, size: number) => Array.from({ length: n }, (_, i) =>
  storedVersion('pods', { metadata: { name: `p${i}`, namespace: 'ns', annotations: { n: 'é'.repeat(size) } } }, i + 1));

test('a small list is one string; an empty one too', () => {
  assert.equal(listBody('{"items":[', items(3, 10), ']}'), `{"items":[${items(3, 10).map((s) => s.json).join(',')}]}`);
  assert.equal(listBody('{"items":[', [], ']}'), '{"items":[]}');
});

test('a large list is a stream with the same bytes, made only as it is read', async () => {
  const big = items(400, 2000); // ~1.6 MB of text, multi-byte characters
  const body = listBody('{"items":[', big, ']}');
  assert.ok(body instanceof Readable);
  const chunks = body[Symbol.asyncIterator]();
  const first = String((await chunks.next()).value);
  assert.ok(first.length < 300_000, `one chunk at a time (${first.length} characters)`);
  assert.ok(body.readableLength < 300_000, `no more buffered than the stream's mark (${body.readableLength} characters)`);
  const all: string[] = [first];
  for (let c = await chunks.next(); !c.done; c = await chunks.next()) all.push(String(c.value));
  assert.equal(all.join(''), `{"items":[${big.map((s) => s.json).join(',')}]}`);
});

test('a list read page by page is one stream, each page read only when the previous one has been sent', async () => {
  const pages = [items(300, 500), items(300, 500), items(7, 500)];
  let calls = 0;
  const body = listBody('{"items":[', pages[0], ']}', () => { calls++; return { items: pages[calls], more: calls < 2 }; });
  assert.ok(body instanceof Readable);
  const chunks = body[Symbol.asyncIterator]();
  const all = [String((await chunks.next()).value)];
  assert.equal(calls, 0, 'the second page is not read before the first is sent');
  for (let c = await chunks.next(); !c.done; c = await chunks.next()) all.push(String(c.value));
  assert.equal(calls, 2);
  assert.equal(all.join(''), `{"items":[${pages.flat().map((s) => s.json).join(',')}]}`);
});

test('each page\'s texts are taken with the page: a version that lets its text go while the stream waits still streams', async () => {
  // A stand-in for a replaced state whose text went to the log and then out of it (stamp.ts releaseText).
  const gone = new Set<number>();
  const fading = (n: number) => items(n, 2000).map((v) => ({
    rv: v.rv, attrs: v.attrs, get object() { return v.object; },
    get json() { if (gone.has(v.rv)) throw new Error(`state ${v.rv} is gone`); return v.json; },
  }));
  const first = fading(200);
  const body = listBody('{"items":[', first, ']}');
  assert.ok(body instanceof Readable);
  for (const v of first) gone.add(v.rv);
  const all: string[] = [];
  for await (const c of body) all.push(String(c));
  assert.equal(all.join(''), `{"items":[${items(200, 2000).map((s) => s.json).join(',')}]}`);
});
