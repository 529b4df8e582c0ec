// Issue 14.7, the API side: grace periods are validated at create, so no pod can be stored that a DELETE cannot
// stamp with a deletion time (the agent clamps its own timers separately).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, pod, useApiserver } from './http-helpers.ts';

const api = useApiserver();
const P = '/api/v1/namespaces/default/pods';

test('issue 14.7: a terminationGracePeriodSeconds of 1e22 is 422 Invalid on create, not a pod that cannot be deleted', async () => {
  const r = await call(api.url, 'POST', P, pod('huge-grace', { nodeName: 'n1', spec: { terminationGracePeriodSeconds: 1e22 } }));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.reason, 'Invalid');
  assert.equal(r.body.message, 'Pod "huge-grace" is invalid: spec.terminationGracePeriodSeconds: Invalid value: 1e+22: must be between 0 and 9223372036, inclusive');
  assert.equal((await call(api.url, 'GET', `${P}/huge-grace`)).status, 404);
});

test('issue 14.7: the longest grace period a kubelet can time is accepted, one more is not', async () => {
  assert.equal((await call(api.url, 'POST', P, pod('longest', { spec: { terminationGracePeriodSeconds: 9223372036 } }))).status, 201);
  assert.equal((await call(api.url, 'POST', P, pod('too-long', { spec: { terminationGracePeriodSeconds: 9223372037 } }))).status, 422);
});

test('issue 14.7: a bound pod with a 100,000,000 s grace period is deleted gracefully by a plain DELETE', async () => {
  assert.equal((await call(api.url, 'POST', P, pod('slow', { nodeName: 'n1', spec: { terminationGracePeriodSeconds: 100_000_000 } }))).status, 201);
  const del = await call(api.url, 'DELETE', `${P}/slow`);
  assert.equal(del.status, 200, del.text);
  assert.equal(del.body.metadata.deletionGracePeriodSeconds, 100_000_000);
  assert.ok(Date.parse(del.body.metadata.deletionTimestamp) > Date.now() + 3 * 365 * 86400_000);
  assert.equal((await call(api.url, 'DELETE', `${P}/slow`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 })).status, 200);
  assert.equal((await call(api.url, 'GET', `${P}/slow`)).status, 404);
});

test('issue 14.7 siblings: a probe grace period or period beyond its range is 422', async () => {
  const probe = (p: object) => pod('probe', { spec: { containers: [{ name: 'app', image: 'busybox', livenessProbe: { exec: { command: ['true'] }, ...p } }] } });
  const grace = await call(api.url, 'POST', P, probe({ terminationGracePeriodSeconds: 1e22 }));
  assert.equal(grace.status, 422, grace.text);
  assert.match(grace.body.message, /spec\.containers\[0\]\.livenessProbe\.terminationGracePeriodSeconds: Invalid value: 1e\+22: must be between 1 and 9223372036, inclusive/);
  const period = await call(api.url, 'POST', P, probe({ periodSeconds: 1e22 }));
  assert.equal(period.status, 422, period.text);
  assert.match(period.body.message, /livenessProbe\.periodSeconds: Invalid value: 1e\+22: must be between 0 and 2147483647, inclusive/);
});
