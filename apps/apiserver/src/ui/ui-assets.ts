// The dashboard's files: its TypeScript sources (apps/apiserver/ui) bundled with preact by esbuild on first use, plus
// the page and its stylesheet. This map is the allow-list of what /ui/ serves — nothing is read from disk by a
// request's path, so no path can reach another file.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

export interface UiAsset { body: Buffer; contentType: string }

const UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../ui');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Files copied as they are, besides the bundle. */
const STATIC_FILES = ['index.html', 'app.css', 'icon.svg'];

/** '@podling/api' means its browser-safe part in the bundle, as it does for the UI's typecheck (tsconfig paths). */
const browserApi: Plugin = {
  name: 'podling-browser-api',
  setup(b) { b.onResolve({ filter: /^@podling\/api$/ }, () => ({ path: path.join(UI_DIR, 'browser-api.ts') })); },
};

let assets: Promise<Map<string, UiAsset>> | undefined;

/** Built once per process, on the first request for /ui/: servers that never serve the UI never pay for it. */
export function uiAssets(): Promise<Map<string, UiAsset>> {
  assets ??= buildAssets().catch((e) => { assets = undefined; throw e; });
  return assets;
}

async function buildAssets(): Promise<Map<string, UiAsset>> {
  const out = new Map<string, UiAsset>();
  const result = await build({
    entryPoints: { app: path.join(UI_DIR, 'main.tsx') },
    bundle: true, format: 'esm', target: 'es2022', minify: true, write: false, outdir: '/ui-out',
    platform: 'browser', jsx: 'automatic', jsxImportSource: 'preact', logLevel: 'silent', legalComments: 'none',
    plugins: [browserApi],
  });
  for (const f of result.outputFiles) out.set(path.basename(f.path), asset(f.path, Buffer.from(f.contents)));
  for (const name of STATIC_FILES) out.set(name, asset(name, await readFile(path.join(UI_DIR, name))));
  return out;
}

const asset = (name: string, body: Buffer): UiAsset =>
  ({ body, contentType: CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream' });
