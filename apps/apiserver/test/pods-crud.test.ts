// Issue 2: the Pod REST API against a real server on a temp SQLite file and port 0.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@podling/testkit';
import { call, pod, useApiserver } from './http-helpers.ts';

const P = '/api/v1/namespaces/default/pods';

const srv = useApiserver();

describe('create', () => {
  test('a pod is created with server-set fields and defaults, answering 201', async () => {
    const r = await call(srv.url, 'POST', P, pod('created-1'));
    assert.equal(r.status, 201, r.text);
    const m = r.body.metadata;
    assert.match(m.uid, /^[0-9a-f-]{36}$/);
    assert.match(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(m.resourceVersion, /^\d+$/);
    assert.equal(m.generation, 1);
    assert.equal(m.namespace, 'default');
    assert.equal(r.body.spec.restartPolicy, 'Always');
    assert.equal(r.body.spec.terminationGracePeriodSeconds, 30);
    assert.equal(r.body.spec.containers[0].terminationMessagePath, '/dev/termination-log');
    assert.deepEqual(r.body.status, { phase: 'Pending', qosClass: 'BestEffort' });
  });

  test('the docs manifest is accepted as YAML', async () => {
    const yaml = readFileSync(path.join(repoRoot, 'manifests/myapp-pod.yaml'), 'utf8');
    const r = await call(srv.url, 'POST', P, undefined, { raw: yaml, contentType: 'application/yaml' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.metadata.name, 'myapp-pod');
    assert.equal(r.body.kind, 'Pod');
  });

  test('generateName gets a 5-character suffix from the Kubernetes alphabet', async () => {
    const r = await call(srv.url, 'POST', P, { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'web-' }, spec: pod('x').spec });
    assert.equal(r.status, 201, r.text);
    assert.match(r.body.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  test('a duplicate name is 409 AlreadyExists', async () => {
    await call(srv.url, 'POST', P, pod('dup'));
    const r = await call(srv.url, 'POST', P, pod('dup'));
    assert.equal(r.status, 409);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.reason, 'AlreadyExists');
    assert.equal(r.body.message, 'pods "dup" already exists');
    assert.deepEqual(r.body.details, { name: 'dup', kind: 'pods' });
  });

  const names: [string, string, boolean][] = [
    ['253 characters is the longest valid name', 'a'.repeat(253), true],
    ['254 characters is too long', 'a'.repeat(254), false],
    ['uppercase is refused', 'My-Pod', false],
    ['an underscore is refused', 'my_pod', false],
    ['a leading dash is refused', '-pod', false],
    ['a trailing dash is refused', 'pod-', false],
    ['dots make a valid subdomain', 'web.v1.example', true],
    ['a leading dot is refused', '.pod', false],
    ['consecutive dots are refused', 'a..b', false],
  ];
  for (const [what, name, ok] of names) {
    test(`pod names: ${what}`, async () => {
      const r = await call(srv.url, 'POST', P, pod(name));
      if (ok) { assert.equal(r.status, 201, r.text); return; }
      assert.equal(r.status, 422, r.text);
      assert.equal(r.body.reason, 'Invalid');
      assert.equal(r.body.details.kind, 'Pod');
      assert.ok(r.body.details.causes.some((c: any) => c.field === 'metadata.name'), r.text);
    });
  }

  test('the My_Pod error carries Kubernetes text', async () => {
    const r = await call(srv.url, 'POST', P, pod('My_Pod'));
    assert.equal(r.status, 422);
    assert.equal(r.body.message, `Pod "My_Pod" is invalid: metadata.name: Invalid value: "My_Pod": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  });

  test('duplicate container names and bad container names each get a cause', async () => {
    const body = pod('dupc', { spec: { containers: [{ name: 'a', image: 'x', command: ['true'] }, { name: 'a', image: 'x' }, { name: 'B_b', image: 'x' }] } });
    const r = await call(srv.url, 'POST', P, body);
    assert.equal(r.status, 422, r.text);
    const fields = r.body.details.causes.map((c: any) => c.field);
    assert.ok(fields.includes('spec.containers[1].name'), r.text);
    assert.ok(fields.includes('spec.containers[2].name'), r.text);
  });

  test('privileged containers are refused without --allow-privileged', async () => {
    const body = pod('priv', { spec: { containers: [{ name: 'a', image: 'x', command: ['true'], securityContext: { privileged: true } }] } });
    const r = await call(srv.url, 'POST', P, body);
    assert.equal(r.status, 422);
    assert.match(r.body.message, /spec\.containers\[0\]\.securityContext\.privileged: Forbidden: disallowed by cluster policy/);
  });

  test('issue 14.6: hostPID and hostIPC are refused without --allow-privileged, and with hostUsers: false', async () => {
    for (const ns of ['hostPID', 'hostIPC']) {
      const r = await call(srv.url, 'POST', P, pod(`host-${ns.toLowerCase()}`, { spec: { [ns]: true, containers: [{ name: 'a', image: 'x', command: ['true'] }] } }));
      assert.equal(r.status, 422, r.text);
      assert.match(r.body.message, new RegExp(`spec\\.${ns}: Forbidden: disallowed by cluster policy`));
    }
    const r = await call(srv.url, 'POST', P, pod('userns-hostnet', { spec: { hostUsers: false, hostNetwork: true, containers: [{ name: 'a', image: 'x', command: ['true'] }] } }));
    assert.equal(r.status, 422, r.text);
    assert.match(r.body.message, /spec\.hostNetwork: Forbidden: when `hostUsers` is false/);
  });

  test('a namespace mismatch between body and URL is 400', async () => {
    const r = await call(srv.url, 'POST', P, pod('nsmm', { namespace: 'kube-system' }));
    assert.equal(r.status, 400);
    assert.equal(r.body.message, 'the namespace of the provided object does not match the namespace sent on the request');
  });

  test('a missing namespace is 404 namespaces "x" not found', async () => {
    const r = await call(srv.url, 'POST', '/api/v1/namespaces/nope/pods', pod('p'));
    assert.equal(r.status, 404);
    assert.equal(r.body.message, 'namespaces "nope" not found');
  });

  test('an unknown kind or apiVersion is refused', async () => {
    const r1 = await call(srv.url, 'POST', P, { ...pod('k1'), kind: 'Service' });
    assert.equal(r1.status, 400, r1.text);
    const r2 = await call(srv.url, 'POST', P, { ...pod('k2'), apiVersion: 'apps/v1' });
    assert.equal(r2.status, 400, r2.text);
  });

  test('bad JSON is 400, an unsupported content type 415, a body over 3 MiB 413', async () => {
    const bad = await call(srv.url, 'POST', P, undefined, { raw: '{"metadata":', contentType: 'application/json' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.kind, 'Status');
    const ct = await call(srv.url, 'POST', P, undefined, { raw: 'x', contentType: 'text/csv' });
    assert.equal(ct.status, 415);
    assert.equal(ct.body.reason, 'UnsupportedMediaType');
    const big = await call(srv.url, 'POST', P, undefined, { raw: JSON.stringify({ ...pod('big'), metadata: { name: 'big', annotations: { a: 'x'.repeat(3.2 * 1024 * 1024) } } }) });
    assert.equal(big.status, 413);
    assert.equal(big.body.reason, 'RequestEntityTooLarge');
  });

  test('a resourceVersion on create is refused', async () => {
    const body = pod('withrv');
    (body.metadata as any).resourceVersion = '5';
    const r = await call(srv.url, 'POST', P, body);
    assert.equal(r.status, 500);
    assert.match(r.body.message, /resourceVersion should not be set on objects to be created/);
  });
});

describe('get, update and patch', () => {
  test('a missing pod is 404 with Kubernetes text', async () => {
    const r = await call(srv.url, 'GET', `${P}/nope`);
    assert.equal(r.status, 404);
    assert.equal(r.body.message, 'pods "nope" not found');
    assert.equal(r.body.reason, 'NotFound');
  });

  test('a method a path lacks is 405', async () => {
    const r = await call(srv.url, 'POST', `${P}/whatever`, pod('whatever'));
    assert.equal(r.status, 405);
    assert.equal(r.body.reason, 'MethodNotAllowed');
  });

  test('PUT with a stale resourceVersion is 409 Conflict; with the current one it updates labels', async () => {
    const created = (await call(srv.url, 'POST', P, pod('upd'))).body;
    const fresh = structuredClone(created);
    fresh.metadata.labels = { tier: 'web' };
    const ok = await call(srv.url, 'PUT', `${P}/upd`, fresh);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.metadata.labels.tier, 'web');
    assert.ok(Number(ok.body.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
    const stale = await call(srv.url, 'PUT', `${P}/upd`, created);
    assert.equal(stale.status, 409);
    assert.equal(stale.body.message, 'Operation cannot be fulfilled on pods "upd": the object has been modified; please apply your changes to the latest version and try again');
  });

  test('PUT on the pod ignores status; PUT on /status changes only status', async () => {
    const created = (await call(srv.url, 'POST', P, pod('st'))).body;
    const a = structuredClone(created);
    a.status = { phase: 'Running' };
    const r1 = await call(srv.url, 'PUT', `${P}/st`, a);
    assert.equal(r1.body.status.phase, 'Pending');
    const b = structuredClone(r1.body);
    b.status.phase = 'Running';
    b.spec.containers[0].image = 'changed-through-status';
    const r2 = await call(srv.url, 'PUT', `${P}/st/status`, b);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.body.status.phase, 'Running');
    assert.equal(r2.body.spec.containers[0].image, 'busybox');
    const g = await call(srv.url, 'GET', `${P}/st/status`);
    assert.equal(g.body.status.phase, 'Running');
  });

  test('immutable spec fields are refused with the Kubernetes message; images may change', async () => {
    await call(srv.url, 'POST', P, pod('imm'));
    const bad = await call(srv.url, 'PATCH', `${P}/imm`, { spec: { restartPolicy: 'Never' } }, { contentType: 'application/merge-patch+json' });
    assert.equal(bad.status, 422, bad.text);
    assert.match(bad.body.message, /spec: Forbidden: pod updates may not change fields other than/);
    const img = await call(srv.url, 'PATCH', `${P}/imm`, [{ op: 'replace', path: '/spec/containers/0/image', value: 'busybox:1.36' }], { contentType: 'application/json-patch+json' });
    assert.equal(img.status, 200, img.text);
    assert.equal(img.body.spec.containers[0].image, 'busybox:1.36');
    assert.equal(img.body.metadata.generation, 2);
  });

  test('merge patch adds and removes labels; an unknown patch type is 415', async () => {
    await call(srv.url, 'POST', P, pod('mp', { labels: { a: '1', b: '2' } }));
    const r = await call(srv.url, 'PATCH', `${P}/mp`, { metadata: { labels: { a: null, c: '3' } } }, { contentType: 'application/merge-patch+json' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.metadata.labels, { b: '2', c: '3' });
    const u = await call(srv.url, 'PATCH', `${P}/mp`, {}, { contentType: 'application/json' });
    assert.equal(u.status, 415);
  });

  test('a patch carrying a stale resourceVersion is 409', async () => {
    const c = (await call(srv.url, 'POST', P, pod('mprv'))).body;
    await call(srv.url, 'PATCH', `${P}/mprv`, { metadata: { labels: { x: '1' } } }, { contentType: 'application/merge-patch+json' });
    const r = await call(srv.url, 'PATCH', `${P}/mprv`, { metadata: { resourceVersion: c.metadata.resourceVersion, labels: { x: '2' } } }, { contentType: 'application/merge-patch+json' });
    assert.equal(r.status, 409);
  });

  test('an update that changes nothing keeps the resourceVersion', async () => {
    const c = (await call(srv.url, 'POST', P, pod('noop'))).body;
    const r = await call(srv.url, 'PATCH', `${P}/noop`, { metadata: { labels: null } }, { contentType: 'application/merge-patch+json' });
    assert.equal(r.body.metadata.resourceVersion, c.metadata.resourceVersion);
  });
});
