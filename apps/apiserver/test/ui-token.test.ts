// Issue 17: the dashboard against a cluster that requires tokens. It asks for one, refuses a wrong one, works with
// the right one — watches included, whose token rides Kubernetes' websocket bearer subprotocol — and offers only
// what the user may do (a read-only user sees no Cordon button, an admin does and it works).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WebSocket } from 'ws';
import { makeTempDir, startApiserver, type RunningApiserver } from '@podling/testkit';
import { bearerFromProtocols, BEARER_PROTOCOL_PREFIX } from '../src/auth/websocket-bearer.ts';
import { call } from './http-helpers.ts';
import { openUi, type UiBrowser } from './browser.ts';

const ADMIN = 'admin-token-0123456789';
const VIEWER = 'viewer-token-0123456789';
let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
let ui: UiBrowser;

before(async () => {
  tmp = makeTempDir('podling-ui-token-');
  const tokens = path.join(tmp.dir, 'tokens.csv');
  writeFileSync(tokens, `${ADMIN},admin,1,"system:masters"\n${VIEWER},viewer,2\n`);
  srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db'), args: ['--controllers', 'none', '--token-auth-file', tokens] });
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } };
  assert.equal((await call(srv.url, 'POST', '/api/v1/nodes', node, { token: ADMIN })).status, 201);
  ui = await openUi(srv.url);
});
after(async () => { await ui?.close(); await srv?.stop(); tmp?.remove(); });

const b64url = (s: string) => Buffer.from(s).toString('base64url');

test('the bearer subprotocol is read as Kubernetes reads it', () => {
  assert.equal(bearerFromProtocols(undefined), null);
  assert.equal(bearerFromProtocols('v4.channel.k8s.io'), null);
  assert.deepEqual(bearerFromProtocols(`${BEARER_PROTOCOL_PREFIX}${b64url('tok')}, podling.watch`), { token: 'tok', remaining: ['podling.watch'] });
  assert.deepEqual(bearerFromProtocols([`${BEARER_PROTOCOL_PREFIX}${b64url('tok')}`, 'a, b']), { token: 'tok', remaining: ['a', 'b'] });
  assert.deepEqual(bearerFromProtocols(`${BEARER_PROTOCOL_PREFIX}${b64url('tok')}`), { error: 'missing additional subprotocol' });
  assert.deepEqual(bearerFromProtocols(`${BEARER_PROTOCOL_PREFIX}dG9r=, x`), { error: 'invalid base64.bearer.authorization token encoding' });
  assert.deepEqual(bearerFromProtocols(`${BEARER_PROTOCOL_PREFIX}${b64url('a')}, ${BEARER_PROTOCOL_PREFIX}${b64url('b')}, x`),
    { error: 'multiple base64.bearer.authorization tokens specified' });
  assert.deepEqual(bearerFromProtocols(`${BEARER_PROTOCOL_PREFIX}${Buffer.from([0xff, 0xfe]).toString('base64url')}, x`),
    { error: 'invalid base64.bearer.authorization token' });
});

/** Opens a watch websocket offering `protocols`; resolves with the chosen protocol and first event, or the HTTP refusal. */
function watchWith(protocols: string[]): Promise<{ protocol: string; first: { type: string; object: { metadata: { name: string } } } } | { refused: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/api/v1/nodes?watch=true`, protocols);
    ws.once('unexpected-response', (_req, res) => { resolve({ refused: res.statusCode! }); res.resume(); ws.terminate(); });
    ws.once('message', (m) => { resolve({ protocol: ws.protocol, first: JSON.parse(String(m)) }); ws.close(); });
    ws.once('error', (e) => { if (ws.readyState !== WebSocket.CLOSED) reject(e); });
  });
}

test('a watch authenticates with the bearer subprotocol, which is never echoed', async () => {
  const ok = await watchWith([`${BEARER_PROTOCOL_PREFIX}${b64url(VIEWER)}`, 'podling.watch']);
  assert.ok('protocol' in ok, JSON.stringify(ok));
  assert.equal(ok.protocol, 'podling.watch');
  assert.equal(ok.first.type, 'ADDED');
  assert.equal(ok.first.object.metadata.name, 'n1');
  assert.deepEqual(await watchWith([`${BEARER_PROTOCOL_PREFIX}${b64url('wrong')}`, 'podling.watch']), { refused: 401 });
  assert.deepEqual(await watchWith([`${BEARER_PROTOCOL_PREFIX}${b64url(VIEWER)}`]), { refused: 401 });
  assert.deepEqual(await watchWith(['podling.watch']), { refused: 401 });
});

async function signIn(token: string): Promise<void> {
  await ui.page.fill('form[aria-label="sign in"] input[name=token]', token);
  await ui.page.click('form[aria-label="sign in"] button[type=submit]');
}

/** Waits for the answer of the "may I cordon?" probe (can-i.ts), so the absence of a button means something. */
const cordonProbe = () => ui.page.waitForResponse((r) => r.url().includes('/api/v1/nodes/podling-ui-can-i-probe'));

test('the UI asks for a token, refuses a wrong one, and with a read-only one shows nodes but no Cordon', async () => {
  const { page } = ui;
  await page.locator('form[aria-label="sign in"]').waitFor({ timeout: 10_000 });
  await signIn('not-a-token');
  await page.locator('[data-testid=token-error]', { hasText: 'refused' }).waitFor();
  assert.match(await page.locator('[data-testid=token-error]').textContent() ?? '', /401/);

  const probed = cordonProbe();
  await signIn(VIEWER);
  await page.locator('form[aria-label="sign in"]').waitFor({ state: 'detached' });
  await page.locator('[data-node=n1] [data-testid=node-status]', { hasText: 'Ready' }).waitFor({ timeout: 10_000 });
  assert.equal((await probed).status(), 403);
  assert.equal(await page.locator('[data-node=n1] button', { hasText: 'Cordon' }).count(), 0);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('podling.token')), VIEWER);
});

test('an admin token offers Cordon, and the cordon shows up live through the token-carrying watch', async () => {
  const { page } = ui;
  await page.click('button.signout');
  await page.locator('form[aria-label="sign in"]').waitFor({ timeout: 10_000 });
  await signIn(ADMIN);
  const card = page.locator('[data-node=n1]');
  await card.locator('button', { hasText: 'Cordon' }).click({ timeout: 10_000 });
  await page.click('form.dialog >> button[type=submit]');
  await card.locator('[data-testid=cordoned]').waitFor({ timeout: 10_000 });
  const node = await call(srv.url, 'GET', '/api/v1/nodes/n1', undefined, { token: ADMIN });
  assert.equal(node.body.spec.unschedulable, true);
  assert.deepEqual(ui.errors, []);
});
