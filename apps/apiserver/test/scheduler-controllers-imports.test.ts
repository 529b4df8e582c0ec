// The controllers (scheduler, node lifecycle, pod GC) are API clients that could run as their own process: they
// may import only @podling/api, @podling/client, pino (types) and each other — never the store or apiserver code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/controllers');
const allowed = (spec: string) => ['@podling/api', '@podling/client', 'pino'].includes(spec) || /^\.\/[\w-]+\.ts$/.test(spec);

test('controllers import only @podling/api, @podling/client and their own folder', () => {
  const bad: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const src = readFileSync(path.join(dir, file), 'utf8');
    for (const m of src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)) {
      if (!allowed(m[1])) bad.push(`${file}: ${m[1]}`);
    }
  }
  assert.deepEqual(bad, []);
});
