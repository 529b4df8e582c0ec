// Whether this machine can run the multi-host test: it needs root and a working `ip netns add` (network namespaces
// with veth pairs and a bridge). `multihostSkipReason()` says why not, for node:test's `skip`; run as a script it
// prints the verdict and exits 0 (can run) or 1 (cannot).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export function multihostSkipReason(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root (run as root, as CI does)';
  const probe = `plmh-probe-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') return '`ip` (iproute2) is not installed';
    return `\`ip netns add\` failed: ${err.stderr?.toString().trim() || err.message}`;
  }
  try { execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore', timeout: 10_000 }); } catch { /* best effort */ }
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const reason = multihostSkipReason();
  process.stdout.write(reason ? `multihost test cannot run: ${reason}\n` : 'multihost test can run\n');
  process.exit(reason ? 1 : 0);
}
