// Debian's Chromium, headless, driven by playwright-core for the dashboard's tests: one browser per test file, and
// every request the page makes recorded so a test can prove none left the apiserver. Not a test file itself.
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The `chromium` Debian package (.ci/run installs it); PODLING_CHROMIUM points elsewhere. */
const CHROMIUM = process.env.PODLING_CHROMIUM ?? '/usr/bin/chromium';

export interface UiBrowser {
  readonly page: Page;
  readonly context: BrowserContext;
  /** URLs of every request the page made, in order. */
  readonly requests: string[];
  /** Uncaught exceptions and console.error calls of the page. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Launches the browser and opens one page at `url` + '/ui/' (sized `viewport`). */
export async function openUi(url: string, viewport = { width: 1280, height: 800 }): Promise<UiBrowser> {
  // A missing browser fails loudly: CI installs it, and a skipped suite would prove nothing.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium package (.ci/run does) or set PODLING_CHROMIUM`);
  // --no-sandbox: tests run as root, where Chromium refuses its sandbox.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('websocket', (ws) => requests.push(ws.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  // Chromium also logs every 4xx answer as an error; the permission probes expect 404s (can-i.ts), so only the
  // page's own errors count.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
  await page.goto(`${url}/ui/`);
  return { page, context, requests, errors, close: () => browser.close() };
}

/** Requests that went anywhere but the apiserver (http and ws alike). */
export function foreignRequests(requests: string[], apiserverUrl: string): string[] {
  const origin = new URL(apiserverUrl);
  return requests.filter((r) => { const u = new URL(r); return u.host !== origin.host || !/^(https?|wss?):$/.test(u.protocol); });
}
