// Issue 7 ("Bad input and faults"): malformed input at every route. Every refusal is a 4xx Kubernetes Status (the
// tables in hostile-cases.ts); afterwards the server still answers /readyz, never crashed, logged no unexpected
// error, and stores exactly the objects that were acknowledged — nothing half-written.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { makeTempDir, startApiserver, type RunningApiserver } from '@podling/testkit';
import { assertStatus, rawRequest, type RawRes } from './hostile-http.ts';
import {
  APPLY_CASES, BODY_CASES, DISCOVERY_CASES, KIND_CASES, PATCH_CASES, PATH_CASES, QUERY_CASES, SUBRESOURCE_CASES,
  WATCH_CASES, type HostileCase,
} from './hostile-cases.ts';
import { FIXTURE, LEASES, NS, P, isUnionField, richEvent, richLease, richNamespace, richNode, richPod } from './hostile-fixtures.ts';
import { wrongTypeVariants } from './hostile-type-walk.ts';
import { wsWatch } from './watch-reader.ts';

let srv: RunningApiserver;
let tmp: ReturnType<typeof makeTempDir>;
let failed = false;
/** Everything acknowledged with 201: the final lists must hold exactly these (plus what was there at start). */
const accepted = { pods: new Set<string>(), nodes: new Set<string>(), namespaces: new Set<string>() };
const initial = { namespaces: [] as string[] };

const send = (method: string, p: string, body?: unknown, contentType?: string, accept?: string): Promise<RawRes> =>
  rawRequest(srv.url, method, p, {
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), contentType, headers: accept ? { accept } : {},
  });

async function mustCreate(p: string, body: object, set?: Set<string>): Promise<RawRes> {
  const r = await send('POST', p, body);
  assert.equal(r.status, 201, r.text);
  set?.add(r.body.metadata.name);
  return r;
}

const names = async (p: string): Promise<string[]> => (await send('GET', p)).body.items.map((o: any) => o.metadata.name).sort();

before(async () => {
  tmp = makeTempDir('podling-hostile-');
  srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db'), args: ['--controllers', 'none'] });
  initial.namespaces = await names('/api/v1/namespaces');
  await mustCreate('/api/v1/namespaces', richNamespace(NS), accepted.namespaces);
  await mustCreate('/api/v1/nodes', richNode(FIXTURE.node), accepted.nodes);
  const bound = richPod(FIXTURE.bound);
  bound.spec.nodeName = FIXTURE.node;
  await mustCreate(P, bound, accepted.pods);
  const held = richPod(FIXTURE.held);
  held.metadata.finalizers = ['example.com/hold'];
  await mustCreate(P, held, accepted.pods);
  const del = await send('DELETE', `${P}/${FIXTURE.held}`);
  assert.equal(del.status, 200, del.text);
  assert.ok(del.body.metadata.deletionTimestamp, 'the held pod is being deleted');
  await mustCreate(LEASES, richLease(FIXTURE.lease));
  await mustCreate(`/api/v1/namespaces/${NS}/events`, richEvent(FIXTURE.event));
});

after(async () => {
  if (failed && srv) process.stderr.write(`--- apiserver output ---\n${srv.process.output().slice(-6000)}\n`);
  await srv?.stop();
  tmp?.remove();
});

function table(title: string, cases: HostileCase[]): void {
  describe(title, () => {
    for (const c of cases) {
      test(c.what, async () => {
        try {
          assertStatus(await send(c.method, c.path, c.body, c.contentType, c.accept), c.code, c.reason);
        } catch (e) { failed = true; throw e; }
      });
    }
  });
}

table('bodies: broken JSON and YAML, bombs, nesting, huge strings, names, content types', BODY_CASES);
table('query parameters: limits, resourceVersions, continue tokens, selectors, grace periods', QUERY_CASES);
table('patches: JSON patch, merge patch, strategic merge directives', PATCH_CASES);
table('server-side apply', APPLY_CASES);
table('subresources: binding, status, log', SUBRESOURCE_CASES);
table('paths: traversal, scopes, unknown resources', PATH_CASES);
table('nodes, namespaces, events and leases', KIND_CASES);
table('discovery and tables', DISCOVERY_CASES);
table('watch over HTTP', WATCH_CASES);

describe('watch over websocket', () => {
  for (const c of WATCH_CASES) {
    test(`${c.what} (as an ERROR event, then close)`, async () => {
      const w = wsWatch(srv.url, c.path);
      try {
        const ev = await w.log.waitFor((e) => e.type === 'ERROR', 5000);
        assert.equal(ev.object.kind, 'Status');
        assert.equal(ev.object.code, c.code, JSON.stringify(ev.object));
        await w.log.waitEnded(5000);
      } catch (e) { failed = true; throw e; } finally { w.stop(); }
    });
  }

  test('a websocket client that sends a frame over 1 MiB is disconnected; the server keeps serving', async () => {
    const w = wsWatch(srv.url, `${P}?watch=true`);
    await w.opened;
    w.socket.send('x'.repeat(2 * 1024 * 1024));
    await w.log.waitEnded(5000);
    assert.equal((await send('GET', '/readyz')).status, 200);
  });
});

describe('sizes the transport refuses', () => {
  test('a 4 MiB body is 413 RequestEntityTooLarge', async () => {
    assertStatus(await send('POST', P, 'x'.repeat(4 * 1024 * 1024)), 413, 'RequestEntityTooLarge');
  });
  test('a 20k-character label selector (header too large) is a 431 Status', async () => {
    assertStatus(await send('GET', `${P}?labelSelector=${'a'.repeat(20_000)}`), 431);
  });
});

describe('unknown fields', () => {
  test('by default an unknown field is dropped with a Warning header and the pod is created', async () => {
    const body = richPod('unknown-warn');
    body.spec.bogus = 1;
    body.metadata.constructor = { evil: 1 };
    const r = await send('POST', P, body);
    assert.equal(r.status, 201, r.text);
    accepted.pods.add('unknown-warn');
    assert.match(String(r.headers.warning), /299 - "unknown field \\"spec.bogus\\""/);
    assert.match(String(r.headers.warning), /unknown field \\"metadata.constructor\\"/);
    const got = (await send('GET', `${P}/unknown-warn`)).body;
    assert.equal(got.spec.bogus, undefined);
    assert.equal(Object.hasOwn(got.metadata, 'constructor'), false, 'a field named constructor is unknown too');
  });
});

function walk(title: string, collection: string, doc: Record<string, any>, set?: Set<string>): void {
  describe(title, () => {
    const byPath = new Map<string, ReturnType<typeof wrongTypeVariants>>();
    for (const v of wrongTypeVariants(doc)) byPath.set(v.path, [...(byPath.get(v.path) ?? []), v]);
    let n = 0;
    for (const [field, variants] of byPath) {
      test(`${field} of another type is refused`, async () => {
        try {
          for (const v of variants) {
            const body = v.doc as Record<string, any>;
            const name = `${doc.metadata.name}-${++n}`;
            if (body.metadata && typeof body.metadata === 'object' && !Array.isArray(body.metadata) && field !== 'metadata.name') body.metadata.name = name;
            const r = await send('POST', collection, body);
            const flexible = isUnionField(field) && ['string', 'integer', 'fraction'].includes(v.as);
            if (flexible && r.status === 201) { set?.add(r.body.metadata.name); continue; }
            assertStatus(r, flexible && r.status === 422 ? 422 : 400);
            if (!flexible) assert.match(r.body.message, /cannot unmarshal|couldn't get version\/kind/, `${field} as ${v.as}`);
          }
        } catch (e) { failed = true; throw e; }
      });
    }
  });
}

walk('every field of a pod refuses a value of another type', P, richPod('walk'), accepted.pods);
walk('every field of a node refuses a value of another type', '/api/v1/nodes', richNode('walk-node'), accepted.nodes);
walk('every field of a namespace refuses a value of another type', '/api/v1/namespaces', richNamespace('walk-ns'), accepted.namespaces);
walk('every field of an event refuses a value of another type', `/api/v1/namespaces/${NS}/events`, richEvent('walk-event'));
walk('every field of a lease refuses a value of another type', LEASES, richLease('walk-lease'));

describe('timestamps', () => {
  test('a lease renewTime that is not a timestamp is 400', async () => {
    const l = richLease('bad-time');
    l.spec.renewTime = 'not a time';
    assertStatus(await send('POST', LEASES, l), 400);
  });
  test('a pod status startTime that is not a timestamp is 400', async () => {
    const cur = (await send('GET', `${P}/${FIXTURE.bound}`)).body;
    cur.status.startTime = 'yesterday';
    assertStatus(await send('PUT', `${P}/${FIXTURE.bound}/status`, cur), 400);
  });
});

describe('after the barrage', () => {
  test('the server still answers /readyz and its process never exited', async () => {
    const r = await send('GET', '/readyz');
    assert.equal(r.status, 200, r.text);
    assert.equal(srv.process.child.exitCode, null);
    assert.equal(srv.process.child.signalCode, null);
  });

  test('no request ended in an unexpected (500) error', () => {
    const lines = srv.process.output().split('\n').filter((l) => l.includes('"unexpected error"') || /"status":5\d\d/.test(l) && !l.includes('"status":503'));
    assert.deepEqual(lines, []);
  });

  test('the stored pods, nodes and namespaces are exactly those acknowledged with 201', async () => {
    assert.deepEqual(await names('/api/v1/pods'), [...accepted.pods].sort());
    assert.deepEqual(await names('/api/v1/nodes'), [...accepted.nodes].sort());
    assert.deepEqual(await names('/api/v1/namespaces'), [...new Set([...initial.namespaces, ...accepted.namespaces])].sort());
  });

  test('every stored pod is complete: it reads back with a uid, a resourceVersion and containers', async () => {
    for (const p of (await send('GET', '/api/v1/pods')).body.items) {
      const one = await send('GET', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`);
      assert.equal(one.status, 200, one.text);
      assert.match(one.body.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.match(one.body.metadata.resourceVersion, /^\d+$/);
      assert.ok(one.body.spec.containers.length > 0);
    }
  });
});
