// Flags of podling-cluster-dns (the DNS server on its own), each with a PODLING_* environment twin (flag wins).
// Every problem is reported at once; main.ts exits 2 with them. Only this module and main.ts read process.env.
import { parseArgs } from 'node:util';
import net from 'node:net';
import { parseUpstream, type Upstream } from './dns-forwarder.ts';

export interface ClusterDnsConfig {
  server: string;
  kubeconfig?: string;
  token?: string;
  bindAddress: string;
  port: number;
  domain: string;
  /** undefined: the host's resolv.conf nameservers. */
  upstreams?: Upstream[];
  logLevel: string;
}

const options = {
  server: { type: 'string', default: 'http://127.0.0.1:8080' },
  kubeconfig: { type: 'string' },
  token: { type: 'string' },
  'bind-address': { type: 'string', default: '0.0.0.0' },
  port: { type: 'string', default: '53' },
  'cluster-domain': { type: 'string', default: 'cluster.local' },
  upstream: { type: 'string', default: '' },
  'log-level': { type: 'string', default: 'info' },
} as const;

export function parseConfig(argv: string[], env: Record<string, string | undefined>): { config?: ClusterDnsConfig; problems: string[] } {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | undefined>;
  } catch (e) { return { problems: [(e as Error).message] }; }
  const get = (k: keyof typeof options) => (argv.some((a) => a === `--${k}` || a.startsWith(`--${k}=`)) ? values[k] : env[`PODLING_${k.toUpperCase().replace(/-/g, '_')}`] ?? values[k]);
  const problems: string[] = [];
  const bindAddress = get('bind-address')!;
  if (!net.isIPv4(bindAddress)) problems.push(`--bind-address: ${JSON.stringify(bindAddress)} is not an IPv4 address`);
  const port = Number(get('port'));
  if (!/^\d+$/.test(get('port')!) || port > 65535) problems.push(`--port: ${JSON.stringify(get('port'))} is not a port number (0 picks a free port)`);
  const domain = get('cluster-domain')!.toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(domain)) problems.push(`--cluster-domain: ${JSON.stringify(domain)} is not a DNS domain`);
  const texts = get('upstream')!.split(',').map((t) => t.trim()).filter(Boolean);
  const upstreams = texts.map((t) => parseUpstream(t));
  texts.forEach((t, i) => { if (!upstreams[i]) problems.push(`--upstream: ${JSON.stringify(t)} is not ip or ip:port`); });
  if (problems.length) return { problems };
  return {
    problems,
    config: {
      server: get('server')!, kubeconfig: get('kubeconfig'), token: get('token'), bindAddress, port, domain,
      upstreams: texts.length ? (upstreams as Upstream[]) : undefined, logLevel: get('log-level')!,
    },
  };
}
