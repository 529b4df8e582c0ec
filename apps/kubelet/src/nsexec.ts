// Where the agent's namespace helper (native/podling-nsexec.c and nsexec-serve.c) is, and making sure it is built:
// `npm ci` builds it (the package's install script), and an agent finding it missing or older than its sources builds it
// again, so a checkout that changed the sources without a reinstall does not run a stale helper.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const NSEXEC = fileURLToPath(new URL('../native/build/podling-nsexec', import.meta.url));
const SOURCES = ['podling-nsexec.c', 'nsexec-serve.c', 'nsexec.h'].map((f) => fileURLToPath(new URL(`../native/${f}`, import.meta.url)));
const BUILD = fileURLToPath(new URL('../native/build.sh', import.meta.url));

const mtime = (p: string) => { try { return statSync(p).mtimeMs; } catch { return undefined; } };

/** Builds the helper when needed; undefined when it is ready, else why it cannot be. */
export function ensureNsexec(): string | undefined {
  const built = mtime(NSEXEC);
  if (built !== undefined && SOURCES.every((s) => built >= (mtime(s) ?? 0))) return undefined;
  try {
    execFileSync('sh', [BUILD], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    return undefined;
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    return `cannot build ${NSEXEC} (${stderr || (err as Error).message}); run \`npm ci\` with a C compiler installed`;
  }
}
