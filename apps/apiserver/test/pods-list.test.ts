// Issue 2: lists with selectors and pagination, and nothing lost across a restart on the same file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, pod, useApiserver } from './http-helpers.ts';

const P = '/api/v1/namespaces/default/pods';

const srv = useApiserver(['--controllers', 'none'], async (url) => {
  await call(url, 'POST', '/api/v1/namespaces', { metadata: { name: 'other' } });
  const specs: [string, Record<string, string>, string?][] = [
    ['web-1', { app: 'web', tier: 'front' }, 'n1'], ['web-2', { app: 'web', tier: 'back' }, 'n2'],
    ['db-1', { app: 'db' }, 'n1'], ['plain', {}],
  ];
  for (const [name, labels, nodeName] of specs) {
    const r = await call(url, 'POST', P, pod(name, { labels, nodeName }));
    assert.equal(r.status, 201, r.text);
  }
  assert.equal((await call(url, 'POST', '/api/v1/namespaces/other/pods', pod('elsewhere', { labels: { app: 'web' } }))).status, 201);
});

const names = (body: any) => body.items.map((i: any) => i.metadata.name).sort();

test('a list is a PodList with the current resourceVersion', async () => {
  const r = await call(srv.url, 'GET', P);
  assert.equal(r.body.kind, 'PodList');
  assert.equal(r.body.apiVersion, 'v1');
  assert.match(r.body.metadata.resourceVersion, /^\d+$/);
  assert.deepEqual(names(r.body), ['db-1', 'plain', 'web-1', 'web-2']);
});

test('all-namespaces list includes other namespaces', async () => {
  const r = await call(srv.url, 'GET', '/api/v1/pods');
  assert.ok(names(r.body).includes('elsewhere'));
});

const labelCases: [string, string, string[]][] = [
  ['equality', 'app=web', ['web-1', 'web-2']],
  ['double equals', 'app==db', ['db-1']],
  ['inequality also matches pods without the key', 'app!=web', ['db-1', 'plain']],
  ['in', 'tier in (front,back)', ['web-1', 'web-2']],
  ['notin also matches pods without the key', 'tier notin (front)', ['db-1', 'plain', 'web-2']],
  ['exists', 'tier', ['web-1', 'web-2']],
  ['does not exist', '!app', ['plain']],
  ['comma is AND', 'app=web,tier=back', ['web-2']],
];
for (const [what, sel, want] of labelCases) {
  test(`label selector: ${what}`, async () => {
    const r = await call(srv.url, 'GET', `${P}?labelSelector=${encodeURIComponent(sel)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(names(r.body), want);
  });
}

const fieldCases: [string, string, string[]][] = [
  ['by node', 'spec.nodeName=n1', ['db-1', 'web-1']],
  ['unscheduled', 'spec.nodeName=', ['plain']],
  ['by name', 'metadata.name=web-2', ['web-2']],
  ['by phase', 'status.phase!=Running', ['db-1', 'plain', 'web-1', 'web-2']],
  ['by namespace', 'metadata.namespace=default,spec.nodeName=n2', ['web-2']],
];
for (const [what, sel, want] of fieldCases) {
  test(`field selector: ${what}`, async () => {
    const r = await call(srv.url, 'GET', `${P}?fieldSelector=${encodeURIComponent(sel)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(names(r.body), want);
  });
}

test('bad selectors are 400', async () => {
  const f = await call(srv.url, 'GET', `${P}?fieldSelector=${encodeURIComponent('spec.image=x')}`);
  assert.equal(f.status, 400);
  assert.equal(f.body.message, 'field label not supported: spec.image');
  const l = await call(srv.url, 'GET', `${P}?labelSelector=${encodeURIComponent('app in (a')}`);
  assert.equal(l.status, 400);
});

test('limit and continue page through a consistent snapshot', async () => {
  const p1 = (await call(srv.url, 'GET', `${P}?limit=3`)).body;
  assert.equal(p1.items.length, 3);
  assert.ok(p1.metadata.continue);
  await call(srv.url, 'POST', P, pod('zz-added-later'));
  const p2 = (await call(srv.url, 'GET', `${P}?limit=3&continue=${encodeURIComponent(p1.metadata.continue)}`)).body;
  assert.equal(p2.metadata.resourceVersion, p1.metadata.resourceVersion);
  assert.deepEqual([...names(p1), ...names(p2)], ['db-1', 'plain', 'web-1', 'web-2']);
  assert.equal(p2.metadata.continue, undefined);
  const bad = await call(srv.url, 'GET', `${P}?limit=3&continue=garbage`);
  assert.equal(bad.status, 400);
});

test('a list at a resourceVersion the server has not reached yet is 504 Too large resource version', async () => {
  const r = await call(srv.url, 'GET', `${P}?resourceVersion=99999999`);
  assert.equal(r.status, 504);
  assert.match(r.body.message, /^Timeout: Too large resource version: 99999999, current: \d+$/);
});

test('issue 18: a list over 256 KiB is streamed, byte for byte the stored objects, and pages the same', async () => {
  const B = '/api/v1/namespaces/big/pods';
  assert.equal((await call(srv.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'big' } })).status, 201);
  const note = 'x'.repeat(2048);
  const made = await Promise.all(Array.from({ length: 150 }, (_, i) => call(srv.url, 'POST', B,
    { ...pod(`p-${String(i).padStart(3, '0')}`, { labels: { odd: String(i % 2 === 1) } }), metadata: { name: `p-${String(i).padStart(3, '0')}`, labels: { odd: String(i % 2 === 1) }, annotations: { note } } })));
  assert.ok(made.every((r) => r.status === 201));
  const list = await call(srv.url, 'GET', B);
  assert.equal(list.headers.get('transfer-encoding'), 'chunked', 'streamed, not built');
  const items = await Promise.all(list.body.items.map((i: any) => call(srv.url, 'GET', `${B}/${i.metadata.name}`)));
  assert.equal(list.text, `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"${list.body.metadata.resourceVersion}"},"items":[${items.map((r) => r.text).join(',')}]}`);
  const p1 = await call(srv.url, 'GET', `${B}?limit=140`);
  const p2 = await call(srv.url, 'GET', `${B}?limit=140&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
  assert.equal(p1.body.metadata.remainingItemCount, 10);
  assert.deepEqual([...p1.body.items, ...p2.body.items], list.body.items);
  const odd = await call(srv.url, 'GET', `${B}?labelSelector=odd%3Dtrue`);
  assert.deepEqual(odd.body.items, list.body.items.filter((i: any) => i.metadata.labels.odd === 'true'));
});

test('a restart on the same file loses nothing and revisions keep increasing', async () => {
  const beforeList = (await call(srv.url, 'GET', '/api/v1/pods')).body;
  await srv.restart();
  const afterList = (await call(srv.url, 'GET', '/api/v1/pods')).body;
  assert.deepEqual(afterList.items, beforeList.items);
  // Not equal: the restarted server listens on a new port and rewrites the kubernetes Service's endpoints.
  assert.ok(Number(afterList.metadata.resourceVersion) >= Number(beforeList.metadata.resourceVersion));
  const c = await call(srv.url, 'POST', P, pod('after-restart'));
  assert.ok(Number(c.body.metadata.resourceVersion) > Number(beforeList.metadata.resourceVersion));
});
