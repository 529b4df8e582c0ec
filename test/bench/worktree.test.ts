// bench/worktree.ts: a worktree for same-run A/B benchmarks must run its own code. The workspace's packages
// resolve inside it (testkit's repoRoot, which picks the processes a benchmark starts, is the worktree), and the
// third-party ones are this checkout's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, repoRoot } from '@podling/testkit';
import { addBenchWorktree } from '../../bench/worktree.ts';

test('a bench worktree resolves the workspace packages to its own files and the others to this checkout', (t) => {
  const tmp = makeTempDir();
  const dir = path.join(tmp.dir, 'a');
  t.after(() => {
    execFileSync('git', ['-C', repoRoot, 'worktree', 'remove', '--force', dir]);
    tmp.remove();
  });
  addBenchWorktree(repoRoot, 'HEAD', dir);
  const probe = "const r=(s)=>require('node:fs').realpathSync(require.resolve(s));"
    + "console.log(JSON.stringify([r('@podling/api'), r('fastify')]))";
  const [api, fastify] = JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8' })) as string[];
  assert.ok(api.startsWith(realpathSync(dir) + path.sep), `@podling/api from the worktree, got ${api}`);
  assert.ok(fastify.startsWith(realpathSync(repoRoot) + path.sep), `fastify from this checkout, got ${fastify}`);
  const root = execFileSync(process.execPath, ['--import', 'tsx', '-e', "import('@podling/testkit').then((m) => console.log(m.repoRoot))"],
    { cwd: dir, encoding: 'utf8' }).trim();
  assert.equal(realpathSync(root), realpathSync(dir));
});
