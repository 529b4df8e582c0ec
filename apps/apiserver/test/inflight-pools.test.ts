// Issue 14.10: who counts against which in-flight pool (the table at the top of inflight-pools.ts), and how the
// pools and the body budget fill and drain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestInfo } from '../src/auth/request-info.ts';
import type { UserInfo } from '../src/auth/user-info.ts';
import { flowOf, InflightPools } from '../src/http/inflight-pools.ts';
import { BodyBudget, SMALL_BODY_BYTES } from '../src/http/body-budget.ts';

const admin: UserInfo = { name: 'admin', uid: '1', groups: ['system:masters', 'system:authenticated'] };
const n1: UserInfo = { name: 'system:node:n1', uid: '2', groups: ['system:nodes', 'system:authenticated'] };
const n2: UserInfo = { name: 'system:node:n2', uid: '3', groups: ['system:nodes', 'system:authenticated'] };
const bob: UserInfo = { name: 'bob', uid: '4', groups: ['system:authenticated'] };

const cases: [string, UserInfo | undefined, string, string, string | undefined][] = [
  ['system:masters are exempt', admin, 'POST', '/api/v1/namespaces/default/pods', undefined],
  ['each node has its own pools', n1, 'PATCH', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', 'node:n1'],
  ['another node has others', n2, 'GET', '/api/v1/pods', 'node:n2'],
  ['everyone else shares one pair', bob, 'GET', '/api/v1/pods', 'others'],
  ['a watch is long-running and never counted', bob, 'GET', '/api/v1/pods?watch=true', undefined],
  ['a legacy /watch/ path too', n1, 'GET', '/api/v1/watch/namespaces/default/pods', undefined],
  ['pod logs are long-running', bob, 'GET', '/api/v1/namespaces/default/pods/p/log?follow=true', undefined],
  ['exec is long-running', bob, 'POST', '/api/v1/namespaces/default/pods/p/exec', undefined],
  ['without authentication everyone is trusted', undefined, 'POST', '/api/v1/namespaces/default/pods', undefined],
];
for (const [behaviour, user, method, url, flow] of cases) {
  test(`flowOf: ${behaviour}`, () => assert.equal(flowOf(user, requestInfo(method, url)), flow));
}

test('reads and mutations fill separate pools; a release frees the slot once, and a drained flow is forgotten', () => {
  const pools = new InflightPools({ maxReadonly: 2, maxMutating: 1 });
  const w = pools.acquire('others', 'create')!;
  assert.equal(pools.acquire('others', 'delete'), undefined, 'the mutating pool is full');
  const r1 = pools.acquire('others', 'get')!;
  const r2 = pools.acquire('others', 'list')!;
  assert.equal(pools.acquire('others', 'get'), undefined, 'the read pool is full');
  assert.ok(pools.acquire('node:n1', 'create'), 'another flow is not affected');
  w(); w();
  assert.deepEqual(pools.inFlight('others'), { readonly: 2, mutating: 0 });
  assert.ok(pools.acquire('others', 'patch'));
  r1(); r2();
  assert.ok(new InflightPools({ maxReadonly: 0, maxMutating: 0 }).acquire('x', 'create'), '0 means no cap');
});

test('the body budget keeps its last quarter for small bodies', () => {
  const budget = new BodyBudget(4 * 1024 * 1024);
  const big = budget.reserve(3 * 1024 * 1024)!;
  assert.ok(big);
  assert.equal(budget.reserve(SMALL_BODY_BYTES + 1), undefined, 'a large body may not use the reserve');
  const small = budget.reserve(SMALL_BODY_BYTES)!;
  assert.ok(small, 'a small body may');
  big(); big();
  assert.equal(budget.bytesInFlight, SMALL_BODY_BYTES);
  small();
  assert.equal(budget.bytesInFlight, 0);
});
