// node --import tsx bench/worktree.ts <commit> <dir> — a checkout of another commit for same-run A/B benchmarks.
//
// `git worktree add` gives the files; the packages come from this checkout's node_modules, linked entry by entry,
// except the workspace's own (@podling/*). Those are links to ../../packages/<name>, and Node resolves a package
// through its real path: a worktree that links this checkout's whole node_modules imports this checkout's
// apiserver, controllers and testkit (whose repoRoot then starts this checkout's processes), so both sides of the
// "A/B" run the same code. Here they point into the worktree. Remove it with `git worktree remove --force <dir>`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKSPACE_SCOPE = '@podling';

/** Links `from`'s installed packages into `to`, the workspace's own as relative links (resolved inside `to`). */
export function linkNodeModules(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    if (entry === WORKSPACE_SCOPE) continue;
    symlinkSync(path.join(from, entry), path.join(to, entry));
  }
  mkdirSync(path.join(to, WORKSPACE_SCOPE));
  for (const pkg of readdirSync(path.join(from, WORKSPACE_SCOPE))) {
    symlinkSync(readlinkSync(path.join(from, WORKSPACE_SCOPE, pkg)), path.join(to, WORKSPACE_SCOPE, pkg));
  }
}

export function addBenchWorktree(repo: string, commit: string, dir: string): void {
  execFileSync('git', ['-C', repo, 'worktree', 'add', '--detach', '--quiet', dir, commit], { stdio: 'inherit' });
  linkNodeModules(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [commit, dir] = process.argv.slice(2);
  if (!commit || !dir) {
    console.error('usage: node --import tsx bench/worktree.ts <commit> <dir>');
    process.exit(2);
  }
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  addBenchWorktree(repo, commit, path.resolve(dir));
  console.log(`${dir}: ${commit}; run a benchmark there as here, e.g. (cd ${dir} && node --import tsx bench/scale.ts --quick)`);
}
