// The bundles test processes run from: built once, rebuilt when a source changes, and each module keeps its own
// import.meta.url (so files next to the sources are found as under tsx).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundledEntry } from '../src/entry-bundle.ts';
import { makeTempDir } from '../src/index.ts';

const tmp = makeTempDir('podling-bundle-test-');
after(() => tmp.remove());

test('a bundle is reused while its sources stand, rebuilt when one changes, and keeps each module\'s URL', () => {
  const root = tmp.dir;
  fs.mkdirSync(path.join(root, 'src/lib'), { recursive: true });
  fs.writeFileSync(path.join(root, 'src/main.ts'), "import { where, word } from './lib/where.ts';\nconsole.log(JSON.stringify({ where, word }));\n");
  fs.writeFileSync(path.join(root, 'src/lib/where.ts'), "export const where: string = import.meta.url;\nexport const word = 'one';\n");
  const run = (file: string) => JSON.parse(execFileSync(process.execPath, [file], { encoding: 'utf8' })) as { where: string; word: string };

  const first = bundledEntry(root, 'src/main.ts')!;
  assert.ok(first.startsWith(path.join(root, 'node_modules/.cache/podling-entries/')), first);
  assert.deepEqual(run(first), { where: `file://${path.join(root, 'src/lib/where.ts')}`, word: 'one' });
  assert.equal(bundledEntry(root, 'src/main.ts'), first, 'unchanged sources reuse the bundle');

  fs.writeFileSync(path.join(root, 'src/lib/where.ts'), "export const where: string = import.meta.url;\nexport const word = 'two';\n");
  const second = bundledEntry(root, 'src/main.ts')!;
  assert.notEqual(second, first);
  assert.equal(run(second).word, 'two');
});
