// The processes tests start (apiserver, agents, controller manager) run from one esbuild bundle of their entry point
// instead of under tsx. Under Node 20, tsx resolves and transforms every module through the loader-hooks thread:
// an apiserver took ~3.4 s of CPU to reach "listening" that way and ~1.3 s from the bundle, and npm test starts
// well over a hundred such processes on two cores. The bundle is the same source: the workspace packages are
// inlined, every npm package stays an import from node_modules, dynamic imports stay lazy (code splitting), and
// each module's `import.meta.url` is its source file's, so paths next to the sources (UI assets, the native
// helper, the spawner) resolve as they do under tsx.
//
// A bundle is rebuilt when any file it was built from changed (size or mtime), by one child process; concurrent
// test processes each may build, and the last rename wins with identical content. PODLING_TEST_TSX=1 runs the
// entry under tsx instead, e.g. to get TypeScript stack traces from a server.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = 'node_modules/.cache/podling-entries';
const BUILDER = fileURLToPath(new URL('./build-entry.ts', import.meta.url));

interface BuiltEntry { key: string; inputs: string[] }

/** Fingerprint of the files a bundle was built from; undefined when one of them is gone. */
export function inputsKey(root: string, inputs: string[]): string | undefined {
  const hash = createHash('sha256');
  for (const file of inputs) {
    try {
      const st = fs.statSync(path.resolve(root, file));
      hash.update(`${file}\0${st.size}\0${st.mtimeMs}\n`);
    } catch {
      return undefined;
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** The bundled file to run for `entry` (relative to the repo root), built first if missing or stale; undefined
 * when PODLING_TEST_TSX=1 asks for tsx. */
export function bundledEntry(root: string, entry: string): string | undefined {
  if (process.env.PODLING_TEST_TSX === '1') return undefined;
  const dir = path.join(root, CACHE, entry.replace(/[/.]/g, '_'));
  const current = () => {
    try {
      const built = JSON.parse(fs.readFileSync(path.join(dir, 'built.json'), 'utf8')) as BuiltEntry;
      const out = path.join(dir, built.key, path.basename(entry).replace(/\.ts$/, '.js'));
      return inputsKey(root, built.inputs) === built.key && fs.existsSync(out) ? out : undefined;
    } catch {
      return undefined;
    }
  };
  const found = current();
  if (found) return found;
  execFileSync(process.execPath, ['--import', import.meta.resolve('tsx'), BUILDER, entry, dir],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const built = current();
  if (!built) throw new Error(`could not bundle ${entry} (its sources changed while it was built?)`);
  return built;
}
