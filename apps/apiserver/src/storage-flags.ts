// The storage backend flags (kube-apiserver's names): --storage-backend sqlite|etcd3 and the --etcd-* flags. SQLite in
// one file is the default; etcd3 lets several apiservers serve one cluster.
import { parseDuration } from '@podling/api';

export const STORAGE_OPTIONS = {
  'storage-backend': { type: 'string', default: 'sqlite' },
  'etcd-servers': { type: 'string' },
  'etcd-cafile': { type: 'string' },
  'etcd-certfile': { type: 'string' },
  'etcd-keyfile': { type: 'string' },
  'etcd-prefix': { type: 'string', default: '/registry' },
  'etcd-compaction-interval': { type: 'string', default: '5m' },
} as const;

export type StorageConfig =
  | { backend: 'sqlite' }
  | {
    backend: 'etcd3'; servers: string[]; prefix: string; compactionIntervalMs: number;
    caFile?: string; certFile?: string; keyFile?: string;
  };

/** Validates the flags' values (`str` reads one, after env twins); every problem goes to `problems`. */
export function parseStorageFlags(str: (flag: string) => string | undefined, problems: string[]): StorageConfig {
  const backend = str('storage-backend');
  const etcdFlags = Object.keys(STORAGE_OPTIONS).filter((k) => k.startsWith('etcd-') && str(k) !== undefined && !('default' in STORAGE_OPTIONS[k as keyof typeof STORAGE_OPTIONS]));
  if (backend === 'sqlite') {
    if (etcdFlags.length) problems.push(`${etcdFlags.map((f) => `--${f}`).join(', ')}: only with --storage-backend etcd3`);
    return { backend };
  }
  if (backend !== 'etcd3') {
    problems.push(`--storage-backend: must be sqlite or etcd3, got ${JSON.stringify(backend)}`);
    return { backend: 'sqlite' };
  }
  const servers = (str('etcd-servers') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0) problems.push('--etcd-servers: required with --storage-backend etcd3 (e.g. http://127.0.0.1:2379)');
  for (const s of servers) {
    let ok = false;
    try { const u = new URL(s); ok = (u.protocol === 'http:' || u.protocol === 'https:') && !!u.port && u.pathname === '/'; } catch { /* reported below */ }
    if (!ok) problems.push(`--etcd-servers: ${JSON.stringify(s)} is not an http:// or https:// URL with a port`);
  }
  if (!!str('etcd-certfile') !== !!str('etcd-keyfile')) problems.push('--etcd-certfile and --etcd-keyfile go together');
  const tls = servers.some((s) => s.startsWith('https:'));
  if (!tls && (str('etcd-cafile') || str('etcd-certfile'))) problems.push('--etcd-cafile, --etcd-certfile and --etcd-keyfile need https:// --etcd-servers');
  const prefix = str('etcd-prefix') ?? '/registry';
  if (!prefix.startsWith('/') || prefix.length < 2) problems.push(`--etcd-prefix: must start with / and name something, got ${JSON.stringify(prefix)}`);
  let compactionIntervalMs = 0;
  try {
    compactionIntervalMs = parseDuration(str('etcd-compaction-interval') ?? '5m');
    if (compactionIntervalMs < 0) problems.push('--etcd-compaction-interval: must not be negative (0 disables compaction)');
  } catch (e) {
    problems.push(`--etcd-compaction-interval: ${(e as Error).message}`);
  }
  return {
    backend, servers, prefix, compactionIntervalMs,
    caFile: str('etcd-cafile'), certFile: str('etcd-certfile'), keyFile: str('etcd-keyfile'),
  };
}
