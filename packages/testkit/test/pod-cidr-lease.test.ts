// Test agents' pod ranges: one per root dir, the same again for that root dir, and freed with the temp dir that
// holds it, so a test run leaves no lease file (or empty lease directory) in /tmp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { leasePodCidr, makeTempDir, waitFor } from '@podling/testkit';

const LEASES = path.join(os.tmpdir(), 'podling-pod-cidrs');

/** The lease files, or undefined while there is no lease directory (other test processes make and remove it). */
function leaseFiles(): string[] | undefined {
  try { return readdirSync(LEASES); } catch { return undefined; }
}

/** Lease files whose agent root dir is inside `dir`. */
function leasesUnder(dir: string): string[] {
  return (leaseFiles() ?? []).filter((f) => {
    try { return readFileSync(path.join(LEASES, f), 'utf8').startsWith(dir + path.sep); } catch { return false; }
  });
}

test('a root dir keeps its range, two root dirs get two ranges, and removing their temp dir frees both', async () => {
  const tmp = makeTempDir('podling-lease-test-');
  const a = leasePodCidr(path.join(tmp.dir, 'a'));
  const b = leasePodCidr(path.join(tmp.dir, 'b'));
  assert.match(a, /^10\.250\.\d+\.0\/24$/);
  assert.notEqual(a, b);
  assert.equal(leasePodCidr(path.join(tmp.dir, 'a')), a, 'a restarted agent with the same root dir gets its range again');
  assert.equal(leasesUnder(tmp.dir).length, 2);

  tmp.remove();
  assert.deepEqual(leasesUnder(tmp.dir), []);
  // Other test processes may hold leases meanwhile, and one may have just made the directory for its own; what must
  // not stay is an empty lease directory.
  await waitFor(() => (leaseFiles()?.length ?? 1) > 0, { timeoutMs: 5000, message: 'the empty lease directory is removed' });
});
