// Builds the bundle of one entry point for entry-bundle.ts (run as a child process, since esbuild's plugins need
// its async API): `build-entry.ts <entry> <cache dir>`. Writes <cache dir>/<key>/ and then, atomically,
// <cache dir>/built.json naming the key and the files it was built from.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inputsKey } from './entry-bundle.ts';

const [entry, dir] = process.argv.slice(2);
const root = process.cwd();
const self = fileURLToPath(import.meta.url);
const tmp = path.join(dir, `.build-${process.pid}`);
fs.mkdirSync(dir, { recursive: true });

const result = await esbuild.build({
  entryPoints: [entry], outdir: tmp, bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20',
  sourcemap: 'linked', metafile: true, logLevel: 'error',
  plugins: [{
    name: 'podling-sources',
    setup(build) {
      // Only the workspace's own TypeScript is bundled; npm packages load from node_modules as they do under tsx.
      build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@podling/') ? undefined : { external: true }));
      build.onLoad({ filter: /\.ts$/ }, (args) => ({
        contents: fs.readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      }));
    },
  }],
});

const inputs = [...Object.keys(result.metafile.inputs).map((f) => path.resolve(root, f)), self].sort();
const key = inputsKey(root, inputs);
if (!key) throw new Error(`a source of ${entry} vanished while it was bundled`);
const out = path.join(dir, key);
try {
  fs.renameSync(tmp, out);
} catch {
  fs.rmSync(tmp, { recursive: true, force: true }); // another process built the same sources first
}
const manifest = path.join(dir, `.built-${process.pid}.json`);
fs.writeFileSync(manifest, JSON.stringify({ key, inputs }));
fs.renameSync(manifest, path.join(dir, 'built.json'));
// Bundles of older sources: a process started from one may still import its lazy chunks, so only old ones go.
for (const name of fs.readdirSync(dir)) {
  const p = path.join(dir, name);
  if (name !== key && !name.endsWith('.json') && Date.now() - fs.statSync(p).mtimeMs > 3_600_000) fs.rmSync(p, { recursive: true, force: true });
}
