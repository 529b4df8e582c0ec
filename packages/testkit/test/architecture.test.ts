// Dependencies point one way: api ← store ← apiserver; api ← client ← controllers, cluster-dns ← apiserver; client ← kubelet.
// The agent and the controllers never reach storage; a relative import never leaves its package. Project
// references cannot enforce this, so this test reads the imports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@podling/testkit';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
}

const rules: [string, string[]][] = [
  ['packages/api/src', ['@podling/store', '@podling/client', '@podling/controllers', '@podling/apiserver', '@podling/kubelet', '@podling/testkit', 'better-sqlite3', 'fastify', 'node:fs', 'node:http', 'node:child_process']],
  ['packages/store/src', ['@podling/client', '@podling/controllers', '@podling/apiserver', '@podling/kubelet', '@podling/testkit', 'fastify']],
  ['packages/client/src', ['@podling/store', '@podling/controllers', '@podling/apiserver', '@podling/kubelet', '@podling/testkit', 'better-sqlite3']],
  ['apps/kubelet/src', ['@podling/store', '@podling/apiserver', '@podling/controllers', '@podling/testkit', 'better-sqlite3']],
  ['packages/controllers/src', ['@podling/store', '@podling/apiserver', '@podling/kubelet', '@podling/testkit', 'better-sqlite3', 'fastify']],
  ['packages/cluster-dns/src', ['@podling/store', '@podling/apiserver', '@podling/kubelet', '@podling/controllers', '@podling/testkit', 'better-sqlite3', 'fastify']],
  ['apps/apiserver/src', ['@podling/kubelet', '@podling/testkit']],
];

for (const [dir, forbidden] of rules) {
  test(`${dir} does not import ${forbidden.join(', ')}`, () => {
    const bad: string[] = [];
    for (const file of sources(path.join(repoRoot, dir))) {
      for (const spec of imports(file)) {
        if (forbidden.some((f) => spec === f || spec.startsWith(f + '/'))) bad.push(`${path.relative(repoRoot, file)} imports ${spec}`);
        if (spec.startsWith('.') && !path.resolve(path.dirname(file), spec).startsWith(path.join(repoRoot, dir.split('/').slice(0, 2).join('/')) + '/')) {
          bad.push(`${path.relative(repoRoot, file)} reaches into another package via ${spec}`);
        }
      }
    }
    assert.deepEqual(bad, []);
  });
}

test('only main.ts and config.ts read process.env', () => {
  const offenders: string[] = [];
  for (const root of ['packages/api/src', 'packages/store/src', 'packages/client/src', 'packages/controllers/src', 'packages/cluster-dns/src', 'apps/apiserver/src', 'apps/kubelet/src']) {
    for (const file of sources(path.join(repoRoot, root))) {
      const base = path.basename(file);
      if (base === 'main.ts' || base === 'config.ts') continue;
      if (/process\.env\b/.test(readFileSync(file, 'utf8'))) offenders.push(path.relative(repoRoot, file));
    }
  }
  assert.deepEqual(offenders, []);
});
