// Flags of podling-apiserver. Every flag has an environment twin (PODLING_<FLAG_IN_SNAKE_CASE>); only this module
// and main.ts read process.env. All problems are reported at once and the process exits 2.
import { parseArgs } from 'node:util';
import { isIPv4, parseDuration } from '@podling/api';
import type { RequestLimits } from './http/request-limits.ts';
import { CONTROLLER_OPTIONS, parseControllerFlags, type ControllerFlags } from '@podling/controllers';
import { isIP } from 'node:net';
import { parsePortRange, type PortRange } from './registry/service-allocator.ts';
import { parseStorageFlags, STORAGE_OPTIONS, type StorageConfig } from './storage-flags.ts';
import { ipAt, isAllocatable, parseIPRange, type IPRange } from './registry/service-ip-range.ts';
import { parseUpstream, type Upstream } from '@podling/cluster-dns';

/** ControllerFlags: the embedded controllers' (leaderElection false runs them without a Lease). */
export interface ApiserverConfig extends ControllerFlags {
  address: string;
  port: number;
  db: string;
  allowPrivileged: boolean;
  logLevel: string;
  tokenAuthFile?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  insecureAllowAnonymous: boolean;
  storage: StorageConfig;
  storageSync: 'FULL' | 'NORMAL';
  watchHistory: number;
  watchBookmarkIntervalMs: number;
  watchHeartbeatIntervalMs: number;
  watchBufferLimitBytes: number;
  eventTtlMs: number;
  minRequestTimeoutMs: number;
  limits: RequestLimits;
  /** How the apiserver proves itself to agents (kubelet/kubelet-client.ts): a client certificate, or a token. */
  kubeletClientCertificate?: string;
  kubeletClientKey?: string;
  kubeletCertificateAuthority?: string;
  kubeletAuthToken?: string;
  serviceClusterIPRange: IPRange;
  serviceNodePortRange: PortRange;
  /** The address the `kubernetes` Service's endpoints carry for this apiserver ('' = derived from --address). */
  advertiseAddress: string;
  /** 'lease': every live apiserver is an endpoint of the `kubernetes` Service; 'none': nobody writes them. */
  endpointReconcilerType: 'lease' | 'none';
  /** How long an apiserver's endpoint lease lives unrenewed (Kubernetes: 15 s, renewed every 10 s). */
  endpointLeaseTtlMs: number;
  /** The embedded cluster DNS server and its kube-dns Service (packages/cluster-dns); undefined when turned off. */
  clusterDns?: EmbeddedDnsConfig;
}

export interface EmbeddedDnsConfig {
  bindAddress: string;
  port: number;
  /** The kube-dns Service's ClusterIP (the kubelets' --cluster-dns). */
  clusterIP: string;
  /** The address its endpoints carry (undefined: the bind address, or the host's first non-loopback IPv4). */
  advertiseAddress?: string;
  domain: string;
  /** Resolvers for names outside the cluster; undefined: the host's /etc/resolv.conf nameservers. */
  upstreams?: Upstream[];
}

const options = {
  address: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '8080' },
  db: { type: 'string', default: './data/podling.db' },
  'allow-privileged': { type: 'boolean', default: false },
  'log-level': { type: 'string', default: 'info' },
  ...CONTROLLER_OPTIONS,
  'token-auth-file': { type: 'string' },
  'tls-cert-file': { type: 'string' },
  'tls-private-key-file': { type: 'string' },
  'insecure-allow-anonymous': { type: 'boolean', default: false },
  'storage-sync': { type: 'string', default: 'FULL' },
  ...STORAGE_OPTIONS,
  'watch-history': { type: 'string', default: '20000' },
  'watch-bookmark-interval': { type: 'string', default: '1m' },
  'watch-heartbeat-interval': { type: 'string', default: '15s' },
  'watch-buffer-limit': { type: 'string', default: '16777216' },
  'event-ttl': { type: 'string', default: '1h' },
  'min-request-timeout': { type: 'string', default: '30m' },
  'request-header-timeout': { type: 'string', default: '30s' },
  'request-read-timeout': { type: 'string', default: '1m' },
  'idle-connection-timeout': { type: 'string', default: '90s' },
  'max-requests-inflight': { type: 'string', default: '400' },
  'max-mutating-requests-inflight': { type: 'string', default: '200' },
  'max-request-bytes-inflight': { type: 'string', default: '67108864' },
  'kubelet-client-certificate': { type: 'string' },
  'kubelet-client-key': { type: 'string' },
  'kubelet-certificate-authority': { type: 'string' },
  'kubelet-auth-token': { type: 'string' },
  'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12' },
  'service-node-port-range': { type: 'string', default: '30000-32767' },
  'advertise-address': { type: 'string', default: '' },
  'endpoint-reconciler-type': { type: 'string', default: 'lease' },
  // Podling's own: Kubernetes hard-codes 15 s (pkg/controlplane/reconcilers); tests shorten it.
  'endpoint-lease-ttl': { type: 'string', default: '15s' },
  'cluster-dns-enabled': { type: 'string', default: 'true' },
  'cluster-dns-bind-address': { type: 'string', default: '0.0.0.0' },
  'cluster-dns-port': { type: 'string', default: '53' },
  'cluster-dns-ip': { type: 'string' },
  'cluster-dns-advertise-address': { type: 'string' },
  'cluster-domain': { type: 'string', default: 'cluster.local' },
  'cluster-dns-upstream': { type: 'string', default: '' },
  help: { type: 'boolean', default: false },
} as const;

export function usage(): string {
  return 'Usage: podling-apiserver [flags]\n' + Object.entries(options)
    .map(([k, o]) => `  --${k}${o.type === 'string' ? ' VALUE' : ''}${'default' in o ? `  (default ${JSON.stringify(o.default)})` : ''}   env PODLING_${envName(k)}`)
    .join('\n') + '\n  --generate-certs DIR --hosts a,b --nodes n1,n2 --server URL[,URL…]   write a CA, server cert, tokens and kubeconfigs, then exit';
}

function envName(flag: string): string { return flag.toUpperCase().replace(/-/g, '_'); }

/** Env twins first, then argv on top, so a flag always wins over the environment. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): { config?: ApiserverConfig; problems: string[]; help: boolean } {
  const problems: string[] = [];
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    return { problems: [(e as Error).message], help: false };
  }
  const explicit = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
  for (const [k, o] of Object.entries(options)) {
    const ev = env[`PODLING_${envName(k)}`];
    if (ev === undefined || explicit.has(k)) continue;
    values[k] = o.type === 'boolean' ? ev === 'true' || ev === '1' : ev;
  }
  const str = (k: string) => values[k] as string | undefined;
  const dur = (k: string) => {
    try { return parseDuration(str(k)!); } catch (e) { problems.push(`--${k}: ${(e as Error).message}`); return 0; }
  };
  const int = (k: string, min: number) => {
    const v = Number(str(k));
    if (!Number.isInteger(v) || v < min) problems.push(`--${k}: must be an integer >= ${min}, got ${JSON.stringify(str(k))}`);
    return v;
  };
  const positive = (k: string) => {
    const ms = dur(k);
    if (ms <= 0 && !problems.some((p) => p.startsWith(`--${k}:`))) problems.push(`--${k}: must be longer than 0`);
    return ms;
  };
  const port = int('port', 0);
  if (port > 65535) problems.push('--port: must be at most 65535');
  const sync = (str('storage-sync') ?? '').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') problems.push('--storage-sync: must be FULL or NORMAL');
  if (!!str('tls-cert-file') !== !!str('tls-private-key-file')) problems.push('--tls-cert-file and --tls-private-key-file go together');
  const kubeletTls = ['kubelet-client-certificate', 'kubelet-client-key', 'kubelet-certificate-authority'].filter((k) => str(k));
  if (kubeletTls.length !== 0 && kubeletTls.length !== 3) problems.push('--kubelet-client-certificate, --kubelet-client-key and --kubelet-certificate-authority go together');
  const ipRange = parseIPRange(str('service-cluster-ip-range')!);
  if (typeof ipRange === 'string') problems.push(`--service-cluster-ip-range: ${ipRange}`);
  const portRange = parsePortRange(str('service-node-port-range')!);
  if (typeof portRange === 'string') problems.push(`--service-node-port-range: ${portRange}`);
  const advertise = str('advertise-address')!;
  if (advertise !== '' && isIP(advertise) !== 4) problems.push(`--advertise-address: ${JSON.stringify(advertise)} is not an IPv4 address`);
  const reconciler = str('endpoint-reconciler-type')!;
  if (reconciler !== 'lease' && reconciler !== 'none') problems.push(`--endpoint-reconciler-type: must be lease or none, got ${JSON.stringify(reconciler)}`);
  const clusterDns = parseClusterDns(str, typeof ipRange === 'string' ? undefined : ipRange, problems);
  const config: ApiserverConfig = {
    address: str('address')!,
    port,
    db: str('db')!,
    allowPrivileged: values['allow-privileged'] === true,
    logLevel: str('log-level')!,
    ...parseControllerFlags(str, problems),
    tokenAuthFile: str('token-auth-file'),
    tlsCertFile: str('tls-cert-file'),
    tlsPrivateKeyFile: str('tls-private-key-file'),
    insecureAllowAnonymous: values['insecure-allow-anonymous'] === true,
    storage: parseStorageFlags(str, problems),
    storageSync: sync as 'FULL' | 'NORMAL',
    watchHistory: int('watch-history', 100),
    watchBookmarkIntervalMs: dur('watch-bookmark-interval'),
    watchHeartbeatIntervalMs: dur('watch-heartbeat-interval'),
    watchBufferLimitBytes: int('watch-buffer-limit', 65536),
    eventTtlMs: dur('event-ttl'),
    minRequestTimeoutMs: dur('min-request-timeout'),
    limits: {
      headerTimeoutMs: positive('request-header-timeout'),
      readTimeoutMs: positive('request-read-timeout'),
      idleTimeoutMs: positive('idle-connection-timeout'),
      maxReadonlyInflight: int('max-requests-inflight', 0),
      maxMutatingInflight: int('max-mutating-requests-inflight', 0),
      maxBodyBytesInflight: int('max-request-bytes-inflight', 0),
    },
    kubeletClientCertificate: str('kubelet-client-certificate'),
    kubeletClientKey: str('kubelet-client-key'),
    kubeletCertificateAuthority: str('kubelet-certificate-authority'),
    kubeletAuthToken: str('kubelet-auth-token') || undefined,
    serviceClusterIPRange: ipRange as IPRange,
    serviceNodePortRange: portRange as PortRange,
    advertiseAddress: advertise,
    endpointReconcilerType: reconciler as 'lease' | 'none',
    endpointLeaseTtlMs: positive('endpoint-lease-ttl'),
    clusterDns,
  };
  const l = config.limits;
  if (l.headerTimeoutMs > l.readTimeoutMs) problems.push('--request-header-timeout: must not be longer than --request-read-timeout');
  // A body of the largest size (3 MiB) must fit in the three quarters of the budget that large bodies may use.
  if (l.maxBodyBytesInflight !== 0 && l.maxBodyBytesInflight < 4 * 1024 * 1024) {
    problems.push('--max-request-bytes-inflight: must be 0 (no budget) or at least 4194304 (4 MiB)');
  }
  return { config: problems.length ? undefined : config, problems, help: values.help === true };
}

function parseClusterDns(str: (k: string) => string | undefined, range: IPRange | undefined, problems: string[]): EmbeddedDnsConfig | undefined {
  const enabled = str('cluster-dns-enabled');
  if (enabled !== 'true' && enabled !== 'false') problems.push(`--cluster-dns-enabled: must be true or false, got ${JSON.stringify(enabled)}`);
  if (enabled === 'false') return undefined;
  const bindAddress = str('cluster-dns-bind-address')!;
  if (!isIPv4(bindAddress)) problems.push(`--cluster-dns-bind-address: ${JSON.stringify(bindAddress)} is not an IPv4 address`);
  const port = Number(str('cluster-dns-port'));
  if (!/^\d+$/.test(str('cluster-dns-port')!) || port > 65535) problems.push(`--cluster-dns-port: ${JSON.stringify(str('cluster-dns-port'))} is not a port number (0 picks a free port)`);
  // kubeadm's choice (GetDNSIP): the 10th address of the service range, 10.96.0.10 for the default range.
  const clusterIP = str('cluster-dns-ip') ?? (range ? ipAt(range, 10) : '');
  if (range && !isAllocatable(range, clusterIP)) problems.push(`--cluster-dns-ip: ${JSON.stringify(clusterIP)} is not an address of --service-cluster-ip-range ${range.cidr}`);
  const advertiseAddress = str('cluster-dns-advertise-address');
  if (advertiseAddress !== undefined && (!isIPv4(advertiseAddress) || advertiseAddress === '0.0.0.0')) problems.push(`--cluster-dns-advertise-address: ${JSON.stringify(advertiseAddress)} is not an IPv4 address`);
  const domain = str('cluster-domain')!.toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(domain)) problems.push(`--cluster-domain: ${JSON.stringify(domain)} is not a DNS domain`);
  const texts = str('cluster-dns-upstream')!.split(',').map((t) => t.trim()).filter(Boolean);
  const upstreams = texts.map((t) => parseUpstream(t));
  texts.forEach((t, i) => { if (!upstreams[i]) problems.push(`--cluster-dns-upstream: ${JSON.stringify(t)} is not ip or ip:port`); });
  return { bindAddress, port, clusterIP, advertiseAddress, domain, upstreams: texts.length ? (upstreams as Upstream[]) : undefined };
}
