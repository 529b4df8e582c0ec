// Issue 17: the dashboard at /ui/ in a real browser against a real cluster (apiserver + agent): the node shows Ready,
// a pod created with kubectl appears and reaches Running without a reload, its log shows its output, and a delete
// from the UI shows Terminating, then the pod is gone. Also what /ui/ serves: only its own files, typed, no
// traversal, nothing fetched from elsewhere.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { stringify as toYaml } from 'yaml';
import { startKubectlCluster, type KubectlCluster } from './kubectl-cli.ts';
import { foreignRequests, openUi, type UiBrowser } from './browser.ts';

let cluster: KubectlCluster;
let ui: UiBrowser;
before(async () => {
  cluster = await startKubectlCluster({ kubelet: true, nodeName: 'node-1' });
  ui = await openUi(cluster.apiserver.url);
});
after(async () => { await ui?.close(); await cluster?.stop(); });

/** A GET with the path sent exactly as written (fetch would normalise `..` away before it left). */
function rawGet(path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: cluster.apiserver.port, path }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), body }));
    }).on('error', reject);
  });
}

test('/ui/ serves its page, bundle and stylesheet with their content types, and nothing else', async () => {
  const page = await rawGet('/ui/');
  assert.equal(page.status, 200);
  assert.match(page.type, /^text\/html; charset=utf-8/);
  assert.match(page.body, /<script type="module" src="\/ui\/app.js">/);
  assert.match((await rawGet('/ui')).type, /^text\/html/);
  assert.match((await rawGet('/ui/app.js')).type, /^text\/javascript/);
  assert.match((await rawGet('/ui/app.css')).type, /^text\/css/);
  for (const path of ['/ui/../package.json', '/ui/..%2fpackage.json', '/ui/%2e%2e/%2e%2e/package.json', '/ui/main.tsx',
    '/ui/tsconfig.json', '/ui/node_modules/preact/package.json', '/ui/..%2f..%2f..%2f..%2fetc%2fpasswd', '/ui/app.js/x', '/ui/%00']) {
    const res = await rawGet(path);
    assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status} ${res.body.slice(0, 200)}`);
    assert.doesNotMatch(res.body, /"name": "podling"|root:x:0/, path);
  }
});

test('the node shows Ready with its capacity and a recent heartbeat', async () => {
  const card = ui.page.locator('[data-node="node-1"]');
  await card.locator('[data-testid=node-status]', { hasText: 'Ready' }).waitFor({ timeout: 20_000 });
  assert.match(await card.locator('[data-testid=heartbeat]').textContent() ?? '', /ago$/);
  assert.match(await card.textContent() ?? '', /CPU.*\/ \d/);
});

test('a pod created with kubectl appears, runs and logs without a reload, then a delete from the UI ends it', async () => {
  const { page } = ui;
  await page.evaluate(() => { (window as unknown as { marker: number }).marker = 17; });
  await page.click('nav >> text=Pods');
  // Ignores SIGTERM, so the grace period (3 s) keeps it Terminating long enough to be seen.
  await cluster.kubectl.ok(['create', '-f', cluster.kubectl.file('talker.yaml', toYaml({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'talker', labels: { app: 'talker' } },
    spec: { terminationGracePeriodSeconds: 3, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'trap "" TERM; echo hello from talker; while true; do sleep 0.2; done'] }] },
  }))]);
  const row = page.locator('[data-key="default/talker"]');
  await row.waitFor({ timeout: 10_000 });
  await row.locator('[data-col=status]', { hasText: 'Running' }).waitFor({ timeout: 20_000 });
  assert.equal(await row.locator('[data-col=ready]').textContent(), '1/1');

  await row.locator('a', { hasText: 'talker' }).click();
  await page.locator('[data-testid=log]', { hasText: 'hello from talker' }).waitFor({ timeout: 10_000 });

  await page.click('.pod-header >> button:text-is("Delete")');
  await page.click('form.dialog >> button[type=submit]');
  await page.locator('[data-testid=pod-status]', { hasText: 'Terminating' }).waitFor({ timeout: 10_000 });
  await page.locator('[data-testid=pod-gone]').waitFor({ timeout: 20_000 });
  assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 17, 'the page was never reloaded');
});

test('the page made no request outside the apiserver and logged no errors', () => {
  assert.deepEqual(foreignRequests(ui.requests, cluster.apiserver.url), []);
  assert.ok(ui.requests.some((r) => r.startsWith('ws://')), 'watches went over websockets');
  assert.deepEqual(ui.errors, []);
});
