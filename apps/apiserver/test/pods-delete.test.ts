// Issue 2: deletion as the Pod docs describe it — graceful for pods on a node, immediate otherwise, force with 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, pod, useApiserver } from './http-helpers.ts';

const P = '/api/v1/namespaces/default/pods';

const srv = useApiserver();

test('a pod not bound to a node is removed at once and the response is the pod', async () => {
  await call(srv.url, 'POST', P, pod('unbound'));
  const r = await call(srv.url, 'DELETE', `${P}/unbound`);
  assert.equal(r.status, 200);
  assert.equal(r.body.kind, 'Pod');
  assert.equal((await call(srv.url, 'GET', `${P}/unbound`)).status, 404);
});

test('a bound pod is only marked: deletionTimestamp and grace from its spec, until the node confirms with grace 0', async () => {
  const created = (await call(srv.url, 'POST', P, pod('bound', { nodeName: 'n1', spec: { terminationGracePeriodSeconds: 45 } }))).body;
  const before = Date.now();
  const r = await call(srv.url, 'DELETE', `${P}/bound`, { propagationPolicy: 'Background' });
  assert.equal(r.status, 200);
  assert.equal(r.body.metadata.deletionGracePeriodSeconds, 45);
  const ts = Date.parse(r.body.metadata.deletionTimestamp);
  assert.ok(Math.abs(ts - (before + 45_000)) < 2000, r.body.metadata.deletionTimestamp);
  assert.equal(r.body.metadata.generation, 2);
  const still = await call(srv.url, 'GET', `${P}/bound`);
  assert.equal(still.status, 200);
  assert.ok(still.body.metadata.deletionTimestamp);
  const wrongUid = await call(srv.url, 'DELETE', `${P}/bound`, { gracePeriodSeconds: 0, preconditions: { uid: 'other' } });
  assert.equal(wrongUid.status, 409);
  const fin = await call(srv.url, 'DELETE', `${P}/bound`, { gracePeriodSeconds: 0, preconditions: { uid: created.metadata.uid } });
  assert.equal(fin.status, 200);
  assert.equal((await call(srv.url, 'GET', `${P}/bound`)).status, 404);
});

test('a second delete may only shorten the grace, counted from the first request', async () => {
  await call(srv.url, 'POST', P, pod('shorten', { nodeName: 'n1' }));
  const first = (await call(srv.url, 'DELETE', `${P}/shorten`, { gracePeriodSeconds: 60 })).body;
  const longer = (await call(srv.url, 'DELETE', `${P}/shorten`, { gracePeriodSeconds: 90 })).body;
  assert.equal(longer.metadata.deletionGracePeriodSeconds, 60);
  assert.equal(longer.metadata.resourceVersion, first.metadata.resourceVersion);
  const shorter = (await call(srv.url, 'DELETE', `${P}/shorten?gracePeriodSeconds=10`)).body;
  assert.equal(shorter.metadata.deletionGracePeriodSeconds, 10);
  assert.equal(Date.parse(shorter.metadata.deletionTimestamp), Date.parse(first.metadata.deletionTimestamp) - 50_000);
});

test('force delete (grace 0) removes a bound pod at once and a same-named pod gets a new uid', async () => {
  const a = (await call(srv.url, 'POST', P, pod('forced', { nodeName: 'n1' }))).body;
  const r = await call(srv.url, 'DELETE', `${P}/forced`, { gracePeriodSeconds: 0 });
  assert.equal(r.status, 200);
  assert.equal((await call(srv.url, 'GET', `${P}/forced`)).status, 404);
  const b = (await call(srv.url, 'POST', P, pod('forced', { nodeName: 'n1' }))).body;
  assert.notEqual(b.metadata.uid, a.metadata.uid);
});

test('a pod already Succeeded is removed at once even when bound', async () => {
  const c = (await call(srv.url, 'POST', P, pod('done', { nodeName: 'n1' }))).body;
  c.status = { ...c.status, phase: 'Succeeded' };
  assert.equal((await call(srv.url, 'PUT', `${P}/done/status`, c)).status, 200);
  await call(srv.url, 'DELETE', `${P}/done`);
  assert.equal((await call(srv.url, 'GET', `${P}/done`)).status, 404);
});

test('deleting a missing pod is 404; a negative grace counts as 1', async () => {
  assert.equal((await call(srv.url, 'DELETE', `${P}/ghost`)).status, 404);
  await call(srv.url, 'POST', P, pod('neg', { nodeName: 'n1' }));
  const r = await call(srv.url, 'DELETE', `${P}/neg?gracePeriodSeconds=-5`);
  assert.equal(r.body.metadata.deletionGracePeriodSeconds, 1);
});
