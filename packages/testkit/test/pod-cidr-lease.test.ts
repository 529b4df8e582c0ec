// Test agents' pod ranges: one per root dir, the same again for that root dir, and freed with the temp dir that
// holds it, so a test run leaves no lease file (or empty lease directory) in /tmp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { leasePodCidr, makeTempDir } from '@podling/testkit';

const LEASES = path.join(os.tmpdir(), 'podling-pod-cidrs');

/** Lease files whose agent root dir is inside `dir`. */
function leasesUnder(dir: string): string[] {
  if (!existsSync(LEASES)) return [];
  return readdirSync(LEASES).filter((f) => {
    try { return readFileSync(path.join(LEASES, f), 'utf8').startsWith(dir + path.sep); } catch { return false; }
  });
}

test('a root dir keeps its range, two root dirs get two ranges, and removing their temp dir frees both', () => {
  const tmp = makeTempDir('podling-lease-test-');
  const a = leasePodCidr(path.join(tmp.dir, 'a'));
  const b = leasePodCidr(path.join(tmp.dir, 'b'));
  assert.match(a, /^10\.250\.\d+\.0\/24$/);
  assert.notEqual(a, b);
  assert.equal(leasePodCidr(path.join(tmp.dir, 'a')), a, 'a restarted agent with the same root dir gets its range again');
  assert.equal(leasesUnder(tmp.dir).length, 2);

  tmp.remove();
  assert.deepEqual(leasesUnder(tmp.dir), []);
  // Other test processes may hold leases meanwhile; what must never stay is an empty lease directory.
  assert.ok(!existsSync(LEASES) || readdirSync(LEASES).length > 0, 'the empty lease directory is removed');
});
