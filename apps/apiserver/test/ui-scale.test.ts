// Issue 17: the pods view with 5,000 pods. They are created through the API (no agent: they stay Pending), the
// table renders them virtualised (only rows in view are in the DOM), and while 1,000 of them change, the page keeps
// drawing frames — counted with requestAnimationFrame, asserted as a count, not a time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { makeTempDir, startApiserver, type RunningApiserver } from '@podling/testkit';
import { call, pod } from './http-helpers.ts';
import { openUi, type UiBrowser } from './browser.ts';

const PODS = 5000;
const CHANGED = 1000;
const IN_FLIGHT = 32;
const name = (i: number) => `p-${String(i).padStart(4, '0')}`;
let tmp: ReturnType<typeof makeTempDir>;
let srv: RunningApiserver;
let ui: UiBrowser;

/** Runs `fn` for 0..n-1 with IN_FLIGHT requests at a time. */
async function each(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => { while (next < n) await fn(next++); }));
}

before(async () => {
  tmp = makeTempDir('podling-ui-scale-');
  srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db'), args: ['--controllers', 'none'] });
  await each(PODS, async (i) => {
    const res = await call(srv.url, 'POST', '/api/v1/namespaces/default/pods', pod(name(i), { labels: { app: 'bulk' } }));
    assert.equal(res.status, 201, res.text);
  });
  ui = await openUi(srv.url);
  await ui.page.click('nav >> text=Pods');
});
after(async () => { await ui?.close(); await srv?.stop(); tmp?.remove(); });

const count = () => ui.page.locator('[data-testid=pod-count]');

test('5,000 pods render, only the rows in view are in the DOM, and the last one is reached by scrolling', async () => {
  await count().filter({ hasText: `${PODS} of ${PODS} pods` }).waitFor({ timeout: 20_000 });
  const rows = await ui.page.locator('.vbody [role=row]').count();
  assert.ok(rows > 10 && rows < 100, `${rows} rows in the DOM`);
  await ui.page.locator('.vbody').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await ui.page.locator(`[data-key="default/${name(PODS - 1)}"]`).waitFor({ timeout: 5000 });
  assert.equal(await ui.page.locator('[data-key="default/p-0000"]').count(), 0, 'the first row left the DOM');
});

test('1,000 pods change while the page keeps drawing frames', async () => {
  const { page } = ui;
  await page.fill('input[name=labels]', 'wave=1');
  await count().filter({ hasText: `0 of ${PODS} pods` }).waitFor();
  // A string, not a function: tsx's transform would wrap a function's inner closures in a helper the page lacks.
  // Counts frames, and the renders of the pod count (each one a DOM mutation of its text).
  await page.evaluate(`window.rafCount = 0; window.counting = true; window.renders = 0;
    window.tick = () => { if (!window.counting) return; window.rafCount++; requestAnimationFrame(window.tick); };
    requestAnimationFrame(window.tick);
    window.countObserver = new MutationObserver((records) => { window.renders += records.length; });
    window.countObserver.observe(document.querySelector('[data-testid=pod-count]'), { subtree: true, characterData: true, childList: true });`);
  try {
    await each(CHANGED, async (i) => {
      const res = await call(srv.url, 'PATCH', `/api/v1/namespaces/default/pods/${name(i * (PODS / CHANGED))}`,
        { metadata: { labels: { wave: '1' } } }, { contentType: 'application/merge-patch+json' });
      assert.equal(res.status, 200, res.text);
    });
    await count().filter({ hasText: `${CHANGED} of ${PODS} pods` }).waitFor({ timeout: 20_000 });
  } finally {
    await page.evaluate('window.counting = false; window.countObserver.disconnect()');
  }
  const frames = await page.evaluate('window.rafCount') as number;
  const renders = await page.evaluate('window.renders') as number;
  // A page that froze while it took in the changes would have drawn a frame or two; one that kept up draws one per
  // vsync throughout (60 a second here); and the changes, arriving as 1,000 watch events, make a render per
  // coalescing interval (150 ms), not one each.
  assert.ok(frames >= 30, `only ${frames} frames were drawn while ${CHANGED} pods changed`);
  assert.ok(renders >= 1 && renders < CHANGED / 2, `the count was rendered ${renders} times for ${CHANGED} changes: updates are not coalesced`);
  assert.deepEqual(ui.errors, []);
});
